/**
 * `npm test`: the checks as separate steps, each failing on its own — typecheck, lint, format
 * check, unit tests, build, probe tests (the built page probe in a plain page, no extension:
 * tests/probe/), e2e tests, and a short benchmark smoke run. Every step runs even when an
 * earlier one failed, except those that need the build (probe, e2e, bench smoke) when the build
 * failed; a table at the end says which step passed, failed or was skipped and how long each
 * took. Exit code 0 only when every step passed.
 *
 *   node tests/ci/steps.mjs [--only typecheck,lint] [--skip bench-smoke]
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';

/** @typedef {{ name: string, command: string, args: string[], needsBuild?: boolean }} Step */

/** @type {Step[]} */
const STEPS = [
  { name: 'typecheck', command: 'npx', args: ['tsc', '--noEmit', '-p', 'tsconfig.json'] },
  { name: 'lint', command: 'npx', args: ['eslint', '.'] },
  { name: 'format', command: 'npx', args: ['prettier', '--check', '.'] },
  { name: 'unit', command: 'npx', args: ['vitest', 'run'] },
  { name: 'build', command: 'npx', args: ['vite', 'build'] },
  { name: 'probe', command: 'npx', args: ['playwright', 'test', '-c', 'tests/probe/playwright.config.ts'], needsBuild: true },
  { name: 'e2e', command: 'npx', args: ['playwright', 'test'], needsBuild: true },
  { name: 'bench-smoke', command: 'node', args: ['tests/bench/run-bench.mjs', '--smoke'], needsBuild: true },
];

const { values } = parseArgs({ options: { only: { type: 'string' }, skip: { type: 'string' } } });
const only = values.only ? new Set(values.only.split(',')) : null;
const skip = new Set(values.skip ? values.skip.split(',') : []);
for (const name of [...(only ?? []), ...skip]) {
  if (!STEPS.some((s) => s.name === name)) {
    console.error(`unknown step "${name}"; steps: ${STEPS.map((s) => s.name).join(', ')}`);
    process.exit(2);
  }
}

/**
 * Runs one command with inherited output.
 * @returns {Promise<number>} its exit code (1 when it could not start or was killed)
 */
function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.on('error', () => resolve(1));
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

/** @type {Array<{ name: string, outcome: 'passed' | 'failed' | 'skipped', seconds: number, why?: string }>} */
const results = [];
let buildFailed = false;
for (const step of STEPS) {
  if ((only && !only.has(step.name)) || skip.has(step.name)) continue;
  if (step.needsBuild && buildFailed) {
    results.push({ name: step.name, outcome: 'skipped', seconds: 0, why: 'the build failed' });
    continue;
  }
  console.log(`\n━━ ${step.name}: ${step.command} ${step.args.join(' ')}`);
  const started = Date.now();
  const code = await run(step.command, step.args);
  const outcome = code === 0 ? 'passed' : 'failed';
  if (step.name === 'build' && outcome === 'failed') buildFailed = true;
  results.push({ name: step.name, outcome, seconds: (Date.now() - started) / 1000 });
}

console.log('\nstep          result    time');
for (const r of results) {
  console.log(`${r.name.padEnd(13)} ${r.outcome.padEnd(9)} ${r.outcome === 'skipped' ? r.why : `${r.seconds.toFixed(1)} s`}`);
}
const failed = results.filter((r) => r.outcome !== 'passed');
process.exit(failed.length === 0 ? 0 : 1);
