import { AppShell, Burger, Group, Menu, NavLink, Text, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { api, setCsrfToken } from '../api/client';
import { SESSION_KEY, useMe } from '../session';

const NAV = [
  { to: '/', label: 'My work', exact: true },
  { to: '/tasks', label: 'My tasks' },
  { to: '/releases', label: 'Releases' },
  { to: '/items', label: 'Work items' },
  { to: '/calendar', label: 'Calendar' },
  { to: '/environments', label: 'Environments' },
  { to: '/reports', label: 'Reports' },
  { to: '/audit', label: 'Audit' },
  { to: '/mail', label: 'Mail outbox' },
];

/** Administration: users, tokens, applications and deployment targets are the admin role's; contacts and templates are readable by all. */
const ADMIN_NAV = [
  { to: '/admin/users', label: 'Users', adminOnly: true },
  { to: '/admin/tokens', label: 'API tokens', adminOnly: false },
  { to: '/admin/contacts', label: 'Contacts', adminOnly: false },
  { to: '/admin/applications', label: 'Applications', adminOnly: false },
  { to: '/admin/templates', label: 'Process templates', adminOnly: false },
  { to: '/admin/targets', label: 'Deployment targets', adminOnly: true },
];

/** The frame of every signed-in page: navigation, the user's menu, and the page in <main>. */
export function Layout() {
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { session, readOnly, permissions } = useMe();
  const admin = permissions?.admin ?? false;
  useEffect(close, [location.pathname, close]);

  const signOut = async () => {
    try {
      await api.DELETE('/api/v1/session');
    } finally {
      setCsrfToken(null);
      qc.clear();
      qc.setQueryData(SESSION_KEY, null);
      void navigate('/sign-in', { replace: true });
    }
  };

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group>
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Text component={Link} to="/" fw={700} size="lg" c="indigo.9">
              relman
            </Text>
          </Group>
          <Menu position="bottom-end">
            <Menu.Target>
              <UnstyledButton aria-label={`Account menu for ${session.user.displayName || session.user.username}`}>
                <Text size="sm">
                  {session.user.displayName || session.user.username}
                  {readOnly ? ' (read only)' : ''}
                </Text>
              </UnstyledButton>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Label>Roles: {session.user.roles.join(', ') || 'none'}</Menu.Label>
              <Menu.Item component={Link} to="/account">
                Account and password
              </Menu.Item>
              <Menu.Item onClick={() => void signOut()}>Sign out</Menu.Item>
            </Menu.Dropdown>
          </Menu>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        {NAV.map((n) => (
          <NavLink
            key={n.to}
            component={Link}
            to={n.to}
            label={n.label}
            active={n.exact ? location.pathname === n.to : location.pathname.startsWith(n.to)}
          />
        ))}
        <NavLink label="Administration" defaultOpened={location.pathname.startsWith('/admin')} childrenOffset="sm">
          {ADMIN_NAV.filter((n) => admin || !n.adminOnly).map((n) => (
            <NavLink key={n.to} component={Link} to={n.to} label={n.label} active={location.pathname.startsWith(n.to)} />
          ))}
        </NavLink>
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
