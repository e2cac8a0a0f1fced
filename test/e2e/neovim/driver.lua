-- Headless Neovim driver for test/e2e/neovim.e2e.test.ts.
-- Usage: nvim --headless --clean -u driver.lua   (cwd: a copy of test/e2e/fixtures/editors)
-- Environment:
--   E2E_SERVER_CMD  JSON array: the command that starts the language server
--   E2E_FILES       comma-separated files to open (relative to cwd); the first gets hover + code action
--   E2E_ACTION      substring of the code action title to pick (empty: the preferred action)
--   E2E_INIT_OPTIONS, E2E_SETTINGS  optional JSON for the client's init_options / settings (0.7 sends
--                   settings only if asked through workspace/configuration, which it does not announce)
--   E2E_WAIT_MS     how long to wait for each file's diagnostics
--   E2E_SKIP_ACTIONS=1  only collect diagnostics (no hover, no code action)
-- Prints one line `E2E_RESULT <json>` and exits; the mocha test makes the assertions, so this file
-- only collects what the editor saw. Works on 0.7 (start_client) and later.

-- The client sends the buffer's filetype as languageId; make sure detection is on whatever -u does.
vim.cmd('filetype on')
-- The python ftplugin asks has('python3'), which probes the python3 provider (seconds); not needed.
vim.g.loaded_python3_provider = 0

local result = { steps = {}, files = {} }

local t0 = vim.loop.hrtime()
local function log(step) table.insert(result.steps, ('%5d ms %s'):format(math.floor((vim.loop.hrtime() - t0) / 1e6), step)) end

local function finish()
  io.stdout:write('E2E_RESULT ' .. vim.fn.json_encode(result) .. '\n')
  io.stdout:flush()
  vim.cmd('qall!')
end

local function json_env(name)
  local raw = os.getenv(name)
  if raw == nil or raw == '' then return nil end
  return vim.fn.json_decode(raw)
end

local wait_ms = tonumber(os.getenv('E2E_WAIT_MS') or '') or 15000

-- vim.diagnostic entries are 0-based like LSP; the code lives at top level from 0.7 on.
local function diagnostics_of(bufnr)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(out, {
      code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or vim.NIL,
      line = d.lnum, character = d.col, endLine = d.end_lnum, endCharacter = d.end_col,
      severity = d.severity, source = d.source or vim.NIL, message = d.message,
    })
  end
  table.sort(out, function(a, b) return a.line < b.line or (a.line == b.line and a.character < b.character) end)
  return out
end

local function buffer_text(bufnr)
  return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
end

local function hover_at(bufnr, line, character)
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = { line = line, character = character } }
  local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', params, 5000)
  for _, response in pairs(responses or {}) do
    local contents = response.result and response.result.contents
    if type(contents) == 'table' then return { kind = contents.kind or vim.NIL, value = contents.value or vim.NIL } end
  end
  return vim.NIL
end

-- Runs the user-facing :lua vim.lsp.buf.code_action() with the cursor on the diagnostic; the
-- selection prompt (vim.ui.select) is answered here, so Neovim's own code applies the edit.
local function apply_code_action(bufnr, line, character, wanted)
  local offered = {}
  local chosen
  local asked = false
  vim.ui.select = function(items, _, on_choice)
    asked = true
    local pick
    for i, item in ipairs(items) do
      local action = item.action or item[2] -- 0.10+: { action, ctx }; 0.7-0.9: { client_id, action }
      table.insert(offered, action.title)
      local matches = wanted ~= '' and action.title:find(wanted, 1, true) or (wanted == '' and action.isPreferred)
      if matches and not pick then pick = i end
    end
    if pick then chosen = (items[pick].action or items[pick][2]).title end
    on_choice(pick and items[pick] or nil, pick)
  end
  local before = vim.api.nvim_buf_get_changedtick(bufnr)
  vim.api.nvim_win_set_cursor(0, { line + 1, character })
  vim.lsp.buf.code_action()
  vim.wait(5000, function() return asked end, 10)
  if chosen then vim.wait(5000, function() return vim.api.nvim_buf_get_changedtick(bufnr) ~= before end, 10) end
  return { offered = offered, chosen = chosen or vim.NIL, text = buffer_text(bufnr) }
end

local function run()
  result.nvim = tostring(vim.version().major) .. '.' .. vim.version().minor .. '.' .. vim.version().patch
  local files = vim.split(os.getenv('E2E_FILES') or '', ',', { trimempty = true })
  local client_id = vim.lsp.start_client({
    name = 'async-pitfalls',
    cmd = json_env('E2E_SERVER_CMD'),
    root_dir = vim.fn.getcwd(),
    init_options = json_env('E2E_INIT_OPTIONS'),
    settings = json_env('E2E_SETTINGS'),
    on_exit = function(code, signal) log(('server exited code=%s signal=%s'):format(code, signal)) end,
  })
  if not client_id then
    result.error = 'vim.lsp.start_client returned nil'
    return
  end
  log('client started')

  local first
  for _, file in ipairs(files) do
    vim.cmd('edit ' .. vim.fn.fnameescape(file))
    local bufnr = vim.api.nvim_get_current_buf()
    vim.lsp.buf_attach_client(bufnr, client_id)
    local started = vim.loop.hrtime()
    vim.wait(wait_ms, function() return #vim.diagnostic.get(bufnr) > 0 end, 20)
    result.files[file] = {
      filetype = vim.bo[bufnr].filetype,
      diagnostics = diagnostics_of(bufnr),
      waitedMs = math.floor((vim.loop.hrtime() - started) / 1e6),
    }
    log('opened ' .. file)
    first = first or { file = file, bufnr = bufnr }
  end

  local diagnostics = first and result.files[first.file].diagnostics or {}
  if #diagnostics == 0 or os.getenv('E2E_SKIP_ACTIONS') == '1' then return end
  vim.cmd('buffer ' .. first.bufnr)
  local target = diagnostics[1]
  result.hover = hover_at(first.bufnr, target.line, target.character + 1)
  log('hover done')
  result.codeAction = apply_code_action(first.bufnr, target.line, target.character, os.getenv('E2E_ACTION') or '')
  log('code action done')
end

-- nested: the :edit calls in run() must fire BufRead autocmds (filetype detection) too.
vim.api.nvim_create_autocmd('VimEnter', {
  nested = true,
  callback = function()
    local ok, err = xpcall(run, debug.traceback)
    if not ok then result.error = tostring(err) end
    finish()
  end,
})
