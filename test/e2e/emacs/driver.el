;;; driver.el --- Emacs + eglot driver for test/e2e/emacs.e2e.test.ts  -*- lexical-binding: t -*-
;;
;; Usage: emacs --batch -l driver.el   (cwd: a copy of test/e2e/fixtures/editors)
;; Environment:
;;   E2E_SERVER_CMD  JSON array: the command that starts the language server
;;   E2E_FILES       comma-separated files to open; the first gets hover + code action
;;   E2E_ACTION      substring of the code action title to pick (empty: the preferred action)
;;   E2E_WORKSPACE_CONFIGURATION  optional JSON for `eglot-workspace-configuration'
;;   E2E_INIT_OPTIONS  optional JSON sent as initializationOptions (the contact's :initializationOptions)
;;   E2E_WAIT_SECONDS  how long to wait for each file's diagnostics
;;   E2E_SKIP_ACTIONS=1  only collect diagnostics (no hover, no code action)
;; Prints one line `E2E_RESULT <json>' to stdout (`princ'; `message' goes to stderr) and exits 0;
;; the mocha test makes the assertions.  Works with eglot 1.9 (Emacs 28) and 1.17 (Emacs 30).


;; Not -Q: Debian's elpa-eglot is put on the load-path by site-start (--batch already skips ~/.emacs).
(require 'cl-lib)
(require 'json)
(require 'subr-x)
(require 'lisp-mnt)
(require 'python)
(require 'flymake)
(require 'eglot)

(defvar e2e-result (list (cons 'steps nil) (cons 'files nil)))
(defvar e2e-start (float-time))
(defvar e2e-root default-directory "The fixture copy: project root, and what E2E_FILES are relative to.")

(defun e2e-put (key value) (setf (alist-get key e2e-result) value))
(defun e2e-log (step)
  (e2e-put 'steps (append (alist-get 'steps e2e-result)
                          (list (format "%5d ms %s" (round (* 1000 (- (float-time) e2e-start))) step)))))

(defun e2e-env-json (name)
  (let ((raw (getenv name)))
    (and raw (not (string-empty-p raw))
         (let ((json-object-type 'plist) (json-array-type 'vector) (json-key-type 'keyword))
           (json-read-from-string raw)))))

(defun e2e-finish ()
  (let ((json-encoding-pretty-print nil))
    (princ (concat "E2E_RESULT " (json-encode e2e-result) "\n")))
  (kill-emacs 0))

(defun e2e-wait (pred seconds)
  (let ((deadline (+ (float-time) seconds)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.02))
    (funcall pred)))

(defun e2e-position (pos)
  "POS as a 0-based LSP-style line/character pair."
  (save-excursion
    (goto-char pos)
    (list (cons 'line (1- (line-number-at-pos))) (cons 'character (current-column)))))

(defun e2e-diagnostics ()
  "This buffer's flymake diagnostics, with the LSP code eglot keeps in each one's data."
  (let ((diags (sort (flymake-diagnostics)
                     (lambda (a b) (< (flymake-diagnostic-beg a) (flymake-diagnostic-beg b))))))
    (vconcat
     (mapcar (lambda (d)
               (let ((lsp (cdr (assoc 'eglot-lsp-diag (flymake-diagnostic-data d)))))
                 `((code . ,(plist-get lsp :code))
                   (start . ,(e2e-position (flymake-diagnostic-beg d)))
                   (end . ,(e2e-position (flymake-diagnostic-end d)))
                   (type . ,(symbol-name (flymake-diagnostic-type d)))
                   (text . ,(flymake-diagnostic-text d)))))
             diags))))

(defun e2e-hover ()
  "The hover text as eglot renders it for eldoc at point (nil when the server has none)."
  (let ((text nil) (done nil))
    (eglot-hover-eldoc-function (lambda (info &rest _) (setq text info done t)))
    (e2e-wait (lambda () done) 5)
    (and text (substring-no-properties text))))

(defun e2e-code-action (beg end wanted)
  "Runs the interactive `eglot-code-actions' on BEG..END, answering its prompt with WANTED."
  (let* ((offered nil) (chosen nil)
         ;; eglot pops up a menu when `last-nonmenu-event' is a list; in batch it is nil.
         (last-nonmenu-event 13))
    (cl-letf (((symbol-function 'completing-read)
               (lambda (_prompt collection &rest _)
                 (let ((titles (mapcar (lambda (c) (if (consp c) (car c) c)) collection)))
                   (setq offered titles)
                   (setq chosen (or (cl-find-if (lambda (title)
                                                  (if (string-empty-p wanted)
                                                      (plist-get (cdr (assoc title collection)) :isPreferred)
                                                    (string-search wanted title)))
                                                titles)
                                    "")))))
              ;; eglot 1.9 asks before applying an edit that touches several files; this one does not.
              ((symbol-function 'y-or-n-p) (lambda (&rest _) t)))
      ;; eglot signals when the chosen title is not offered; the test reports what was.
      (condition-case err (eglot-code-actions beg end nil t)
        (error (setq chosen (format "none: %s" (error-message-string err))))))
    (e2e-wait (lambda () (buffer-modified-p)) 5)
    `((offered . ,(vconcat offered))
      (chosen . ,chosen)
      (text . ,(buffer-substring-no-properties (point-min) (point-max))))))

(defun e2e-open (file)
  (find-file (expand-file-name file e2e-root))
  (unless (derived-mode-p 'python-mode) (python-mode))
  (unless (eglot-managed-p)
    ;; The interactive entry point guesses mode, project and contact from the buffer, no prompts.
    (call-interactively #'eglot))
  ;; In batch mode flymake's deferred start never fires.
  (flymake-start)
  (let ((waited-from (float-time)))
    (e2e-wait (lambda () (flymake-diagnostics)) (string-to-number (or (getenv "E2E_WAIT_SECONDS") "15")))
    (e2e-put 'files (append (alist-get 'files e2e-result)
                            (list (cons file `((diagnostics . ,(e2e-diagnostics))
                                               (waitedMs . ,(round (* 1000 (- (float-time) waited-from))))))))))
  (e2e-log (concat "opened " file)))

(defun e2e-run ()
  (e2e-put 'emacs emacs-version)
  (e2e-put 'eglot (let ((source (locate-library "eglot.el")))
                    (and source (with-temp-buffer (insert-file-contents source) (lm-version)))))
  (let ((files (split-string (or (getenv "E2E_FILES") "") "," t))
        (config (e2e-env-json "E2E_WORKSPACE_CONFIGURATION")))
    (setq eglot-server-programs
          `((python-mode . ,(append (e2e-env-json "E2E_SERVER_CMD")
                                    (let ((init (e2e-env-json "E2E_INIT_OPTIONS")))
                                      (and init (list :initializationOptions init))))))
          eglot-sync-connect t
          eglot-connect-timeout 20
          eglot-autoshutdown t
          eglot-events-buffer-size 0
          ;; One transient project rooted at the fixture copy (no .git there), so files in
          ;; subfolders share one server, as they would under a real project root.
          project-find-functions (list (lambda (_) (cons 'transient e2e-root))))
    (when config (setq-default eglot-workspace-configuration config))
    (dolist (file files) (e2e-open file))
    (let ((first (car files)))
      (when first
        (find-file (expand-file-name first e2e-root))
        (let ((diag (car (sort (flymake-diagnostics)
                               (lambda (a b) (< (flymake-diagnostic-beg a) (flymake-diagnostic-beg b)))))))
          (when (and diag (not (equal (getenv "E2E_SKIP_ACTIONS") "1")))
            (goto-char (1+ (flymake-diagnostic-beg diag)))
            (e2e-put 'hover (e2e-hover))
            (e2e-log "hover done")
            (e2e-put 'codeAction (e2e-code-action (flymake-diagnostic-beg diag) (flymake-diagnostic-end diag)
                                                  (or (getenv "E2E_ACTION") "")))
            (e2e-log "code action done")
            (set-buffer-modified-p nil)))))))

(condition-case err
    (e2e-run)
  (error (e2e-put 'error (error-message-string err))))
(e2e-finish)
