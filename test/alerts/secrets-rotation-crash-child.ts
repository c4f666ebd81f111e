// Run by webhook-secrets-rotation.test.ts: rotates the webhook secrets of DATABASE_PATH from
// SECRETS_KEY_PREVIOUS to SECRETS_KEY and kills itself with SIGKILL right after sealing the second
// secret, inside the rotation's transaction (a power cut, an OOM kill, kill -9 by an operator).
import { openDatabase } from '../../db/index';
import {
  createSecretBox,
  decodeSecretsKey,
  type SecretBox,
} from '../../src/services/alerts/secret-box';
import { rotateWebhookSecrets } from '../../src/services/alerts/secrets-key-rotation';

const env = (name: string): string => {
  const v = process.env[name];
  if (v === undefined) throw new Error(`${name} is not set`);
  return v;
};

const store = openDatabase(env('DATABASE_PATH'));
const box = createSecretBox(decodeSecretsKey(env('SECRETS_KEY'), 'SECRETS_KEY'), {
  previousKeys: [decodeSecretsKey(env('SECRETS_KEY_PREVIOUS'), 'SECRETS_KEY_PREVIOUS')],
});
let sealed = 0;
const dying: SecretBox = {
  ...box,
  seal(plaintext, context) {
    const text = box.seal(plaintext, context);
    sealed += 1;
    if (sealed === 2) {
      process.stdout.write(`killed after ${sealed} secrets\n`);
      process.kill(process.pid, 'SIGKILL');
    }
    return text;
  },
};
const result = rotateWebhookSecrets(store, dying);
// reached only if the kill did not happen (fewer than two secrets): the test then fails on it
process.stdout.write(`finished ${JSON.stringify(result)}\n`);
store.close();
