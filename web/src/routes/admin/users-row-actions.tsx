import { Button, Group, Modal, MultiSelect, PasswordInput, Stack } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, data } from '../../api/client';
import { fieldProblems } from '../../api/problem';
import { formText } from '../../components/form-value';
import { ProblemAlert } from '../../components/problem-alert';
import type { paths } from '../../api/schema';
import { roleOptions, useTemplateRoles } from './users-roles';

export type UserView = paths['/api/v1/users']['get']['responses'][200]['content']['application/json']['items'][number];
type Patch = { roles?: string[]; disabled?: boolean; password?: string };

function useUserPatch(username: string, onDone?: () => void) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: Patch) => data(await api.PATCH('/api/v1/users/{username}', { params: { path: { username } }, body })),
    onSuccess: async () => {
      onDone?.();
      await qc.invalidateQueries({ queryKey: ['users'] });
    },
  });
}

function RolesDialog({ user, opened, onClose }: { user: UserView; opened: boolean; onClose: () => void }) {
  const template = useTemplateRoles();
  const [roles, setRoles] = useState(user.roles);
  const save = useUserPatch(user.username, onClose);
  const known = roleOptions(template.data?.roles);
  // Roles the template no longer has stay choosable, so saving does not drop them silently.
  const options = [...known, ...user.roles.filter((r) => !known.some((o) => o.value === r)).map((r) => ({ value: r, label: r }))];
  return (
    <Modal opened={opened} onClose={onClose} title={`Roles of ${user.username}`}>
      <Stack>
        <ProblemAlert error={save.error} title="Roles not changed" />
        <MultiSelect label="Roles" data={options} value={roles} onChange={setRoles} searchable error={fieldProblems(save.error, 'roles')} />
        <Button onClick={() => save.mutate({ roles })} loading={save.isPending}>
          Save roles
        </Button>
      </Stack>
    </Modal>
  );
}

function PasswordDialog({ user, opened, onClose }: { user: UserView; opened: boolean; onClose: () => void }) {
  const save = useUserPatch(user.username, onClose);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    save.mutate({ password: formText(new FormData(e.currentTarget), 'password') });
  };
  return (
    <Modal opened={opened} onClose={onClose} title={`New password for ${user.username}`}>
      <form onSubmit={submit} aria-label={`New password for ${user.username}`}>
        <Stack>
          <ProblemAlert error={save.error} title="Password not set" />
          <PasswordInput
            name="password"
            label="New password"
            autoComplete="new-password"
            required
            description="Their sessions end; their API tokens stay valid."
            error={fieldProblems(save.error, 'password')}
          />
          <Button type="submit" loading={save.isPending}>
            Set password
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}

/** Give and take roles, disable or enable, set a new password: one user's row. */
export function UserRowActions({ user }: { user: UserView }) {
  const [rolesOpen, roles] = useDisclosure(false);
  const [passwordOpen, password] = useDisclosure(false);
  const toggle = useUserPatch(user.username);
  return (
    <>
      <Group gap="xs" wrap="nowrap">
        <Button size="compact-sm" variant="default" onClick={roles.open} aria-label={`Change roles of ${user.username}`}>
          Roles
        </Button>
        <Button size="compact-sm" variant="default" onClick={password.open} aria-label={`Reset password of ${user.username}`}>
          Reset password
        </Button>
        <Button
          size="compact-sm"
          variant="default"
          color={user.disabled ? undefined : 'red'}
          loading={toggle.isPending}
          onClick={() => toggle.mutate({ disabled: !user.disabled })}
          aria-label={`${user.disabled ? 'Enable' : 'Disable'} ${user.username}`}
        >
          {user.disabled ? 'Enable' : 'Disable'}
        </Button>
      </Group>
      <ProblemAlert error={toggle.error} title="Not changed" />
      {rolesOpen && <RolesDialog user={user} opened={rolesOpen} onClose={roles.close} />}
      {passwordOpen && <PasswordDialog user={user} opened={passwordOpen} onClose={password.close} />}
    </>
  );
}
