import { Button, Group, Modal, PasswordInput, Radio, Select, SimpleGrid, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, data } from '../../api/client';
import { fieldProblems, ProblemError } from '../../api/problem';
import type { paths } from '../../api/schema';
import { ProblemAlert } from '../../components/problem-alert';
import { useTemplateChoices } from '../../components/releases-template';

export type TargetView = paths['/api/v1/targets']['get']['responses'][200]['content']['application/json'][number];
type Body = NonNullable<paths['/api/v1/targets/{environment}/{channel}']['put']['requestBody']>['content']['application/json'];
type SecretChoice = 'keep' | 'private-key' | 'password' | 'remove';

export const TARGETS_KEY = ['deployment-targets'] as const;

/** Every problem the server names under a path prefix (`commands`, `commands.0.timeoutSeconds`, `commands[0].argv`), with where it is. */
function problemsUnder(err: unknown, prefix: string): string[] {
  if (!(err instanceof ProblemError)) return [];
  return (err.problem.errors ?? [])
    .map((e) => ({ where: e.path ?? e.field ?? '', message: e.message }))
    .filter((e) => e.where === prefix || e.where.startsWith(`${prefix}.`) || e.where.startsWith(`${prefix}[`))
    .map((e) => (e.where === prefix ? e.message : `${e.where}: ${e.message}`));
}

/** The command steps typed as JSON: a list, or a message saying what is wrong. */
function parseCommands(text: string): { commands: Body['commands'] } | { error: string } {
  if (text.trim() === '') return { commands: [] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { error: `not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (!Array.isArray(value)) return { error: 'expected a JSON list of steps: [{"name": …, "argv": […], "timeoutSeconds": …}]' };
  return { commands: value as Body['commands'] };
}

/** Create (no target) or replace (a target) a deployment target, in a dialog. The secret is write-only: never shown, never prefilled. */
export function TargetFormModal({ target, onClose }: { target: TargetView | null; onClose: () => void }) {
  const qc = useQueryClient();
  const template = useTemplateChoices();
  const [environment, setEnvironment] = useState<string | null>(target?.environment ?? null);
  const [channel, setChannel] = useState<string | null>(target?.channel ?? null);
  const [secretChoice, setSecretChoice] = useState<SecretChoice>('keep');
  const [privateKey, setPrivateKey] = useState('');
  const [password, setPassword] = useState('');
  const [clientProblems, setClientProblems] = useState<{ commands?: string; port?: string; place?: string }>({});
  const save = useMutation({
    mutationFn: async (v: { environment: string; channel: string; body: Body }) =>
      data(
        await api.PUT('/api/v1/targets/{environment}/{channel}', {
          params: { path: { environment: v.environment, channel: v.channel }, query: {} },
          body: v.body,
        }),
      ),
    onSettled: () => {
      // The secret typed is never kept in the page longer than one attempt needs.
      setPrivateKey('');
      setPassword('');
    },
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: TARGETS_KEY });
      onClose();
    },
  });

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const raw = (name: string) => {
      const v = f.get(name);
      return typeof v === 'string' ? v : '';
    };
    const text = (name: string) => raw(name).trim();
    const problems: typeof clientProblems = {};
    if (!environment || !channel) problems.place = 'choose an environment and a channel';
    const parsed = parseCommands(raw('commands'));
    if ('error' in parsed) problems.commands = parsed.error;
    const sftpText = { host: text('host'), port: text('port'), username: text('username'), directory: text('directory') };
    const fingerprint = text('hostKeyFingerprint');
    const hasSftp = Object.values(sftpText).some((v) => v !== '') || fingerprint !== '';
    if (hasSftp && !/^-?\d+$/.test(sftpText.port)) problems.port = 'expected a port 1-65535';
    setClientProblems(problems);
    if (Object.keys(problems).length > 0 || 'error' in parsed || !environment || !channel) return;
    const body: Body = {
      sftp: hasSftp
        ? {
            host: sftpText.host,
            port: Number(sftpText.port),
            username: sftpText.username,
            directory: sftpText.directory,
            hostKeyFingerprint: fingerprint,
          }
        : null,
      commands: parsed.commands,
    };
    if (target) body.version = target.version;
    if (secretChoice === 'private-key') body.secret = { privateKey };
    else if (secretChoice === 'password') body.secret = { password };
    else if (secretChoice === 'remove') body.secret = null;
    save.mutate({ environment, channel, body });
  };

  const err = save.error;
  const commandProblems = [...(clientProblems.commands ? [clientProblems.commands] : []), ...problemsUnder(err, 'commands')];
  const title = target ? `Edit the target ${target.environment} / ${target.channel}` : 'New deployment target';
  return (
    <Modal opened onClose={onClose} closeButtonProps={{ 'aria-label': 'Dismiss the dialog' }} title={title} size="lg">
      <form onSubmit={submit} aria-label={title}>
        <Stack>
          <ProblemAlert error={err} title="Target not saved" />
          {template.isPending && <Text role="status">Loading the channels and environments…</Text>}
          <ProblemAlert error={template.error} title="The channels and environments could not be loaded" />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Select
              label="Environment"
              required
              disabled={target !== null}
              data={(template.data?.environments ?? []).map((x) => ({ value: x.id, label: x.name }))}
              value={environment}
              onChange={(v) => v && setEnvironment(v)}
              error={fieldProblems(err, 'environment') ?? (!environment ? clientProblems.place : undefined)}
            />
            <Select
              label="Channel"
              required
              disabled={target !== null}
              data={(template.data?.channels ?? []).map((x) => ({ value: x.id, label: x.name }))}
              value={channel}
              onChange={(v) => v && setChannel(v)}
              error={fieldProblems(err, 'channel') ?? (!channel ? clientProblems.place : undefined)}
            />
          </SimpleGrid>
          <Text fw={500}>SFTP drop location (leave all empty for none)</Text>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput name="host" label="SFTP host" defaultValue={target?.sftp?.host ?? ''} error={fieldProblems(err, 'host')} />
            <TextInput
              name="port"
              label="SFTP port"
              inputMode="numeric"
              defaultValue={target?.sftp ? String(target.sftp.port) : '22'}
              error={clientProblems.port ?? fieldProblems(err, 'port')}
            />
            <TextInput
              name="username"
              label="SFTP user"
              autoComplete="off"
              defaultValue={target?.sftp?.username ?? ''}
              error={fieldProblems(err, 'username')}
            />
            <TextInput
              name="directory"
              label="Directory"
              description="An absolute path, e.g. /srv/drop"
              defaultValue={target?.sftp?.directory ?? ''}
              error={fieldProblems(err, 'directory')}
            />
          </SimpleGrid>
          <TextInput
            name="hostKeyFingerprint"
            label="Host key fingerprint"
            description="SHA256:… as ssh-keygen -lf prints it"
            autoComplete="off"
            defaultValue={target?.sftp?.hostKeyFingerprint ?? ''}
            error={fieldProblems(err, 'hostKeyFingerprint')}
          />
          <Radio.Group
            label="SFTP secret"
            description={
              target?.secret
                ? `Stored: ${target.secret.kind === 'private-key' ? 'private key' : 'password'}, set by ${target.secret.setBy}. It is never shown.`
                : 'None stored. A secret is never shown once saved.'
            }
            value={secretChoice}
            onChange={(v) => setSecretChoice(v)}
            error={fieldProblems(err, 'secret')}
          >
            <Group mt="xs">
              <Radio value="keep" label={target?.secret ? 'Keep the stored secret' : 'No secret'} />
              <Radio value="private-key" label="Private key" />
              <Radio value="password" label="Password" />
              {target?.secret && <Radio value="remove" label="Remove the secret" />}
            </Group>
          </Radio.Group>
          {secretChoice === 'private-key' && (
            <Textarea
              label="SFTP private key"
              description="OpenSSH or PEM block; never shown again once saved"
              required
              autoComplete="off"
              spellCheck={false}
              autosize
              minRows={4}
              styles={{ input: { fontFamily: 'monospace' } }}
              value={privateKey}
              onChange={(e) => setPrivateKey(e.currentTarget.value)}
              error={fieldProblems(err, 'privateKey')}
            />
          )}
          {secretChoice === 'password' && (
            <PasswordInput
              label="SFTP password"
              description="Never shown again once saved"
              required
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              error={fieldProblems(err, 'password')}
            />
          )}
          <Textarea
            name="commands"
            label="Command steps (JSON)"
            description='A list of {"name", "argv": [program, args…], "cwd"?, "env"?, "timeoutSeconds"}, run in order'
            autoComplete="off"
            spellCheck={false}
            autosize
            minRows={4}
            styles={{ input: { fontFamily: 'monospace' } }}
            defaultValue={JSON.stringify(target?.commands ?? [], null, 2)}
            error={commandProblems.length ? commandProblems.join('; ') : undefined}
          />
          <Group>
            <Button type="submit" loading={save.isPending}>
              Save target
            </Button>
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
