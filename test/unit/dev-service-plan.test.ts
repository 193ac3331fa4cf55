/**
 * The plan label (dev/runtime/service-plan.ts): environment names without
 * values go into the label; a recovered plan reads the values back from the
 * container's Env (issue 14, defect 2: no secret-like values in labels).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planLabel, recoveredPlan, type ServicePlan } from '../../src/dev/runtime/service-plan.js';

const plan: ServicePlan = {
  service: { name: 'api', command: ['sh'], environment: { TOKEN: 's3cr3t', EMPTY: '', FROM_CLIENT: null } },
  image: 'sha256:abc',
  projectDir: '/src/app',
};

test('the label names the environment and holds none of its values', () => {
  const label = planLabel(plan);
  assert.doesNotMatch(label, /s3cr3t/);
  assert.deepEqual(JSON.parse(label), {
    service: { name: 'api', command: ['sh'], environment: { TOKEN: null, EMPTY: null, FROM_CLIENT: null } },
    image: 'sha256:abc',
    projectDir: '/src/app',
  });
});

test("a recovered plan takes the values from the container's Env; a name the container lacks stays the client's (null)", () => {
  const recovered = recoveredPlan(planLabel(plan), ['PATH=/bin', 'TOKEN=s3cr3t', 'EMPTY=', 'WITH_EQUALS=a=b']);
  assert.deepEqual(recovered, { ...plan, service: { ...plan.service, environment: { TOKEN: 's3cr3t', EMPTY: '', FROM_CLIENT: null } } });
});

test('a service without environment round-trips as it is; a label that is no plan recovers nothing', () => {
  const bare: ServicePlan = { service: { name: 'db' }, image: 'busybox', projectDir: '/' };
  assert.deepEqual(recoveredPlan(planLabel(bare), ['A=1']), bare);
  assert.equal(recoveredPlan('not json', []), undefined);
  assert.equal(recoveredPlan(undefined, []), undefined);
});
