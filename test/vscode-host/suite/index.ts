/** Entry point the extension host calls (extensionTestsPath): runs the suite's mocha files. */
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: true, timeout: 60_000 });
  // run.ts bundles each suite file next to this one.
  mocha.addFile(path.join(__dirname, 'diagnostics.test.js'));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} extension-host test(s) failed`)) : resolve()));
  });
}
