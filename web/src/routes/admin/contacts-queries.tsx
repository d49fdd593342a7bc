import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, data } from '../../api/client';
import type { paths } from '../../api/schema';

export type Contact = paths['/api/v1/contacts']['get']['responses'][200]['content']['application/json'][number];
export type ContactKind = 'resource' | 'escalation' | 'external';
export type ContactInput = { kind: ContactKind; role?: string; system?: string; person: string; phone?: string; email?: string };
export type ContactPatch = {
  role?: string | null;
  system?: string | null;
  person?: string;
  phone?: string | null;
  email?: string | null;
  order?: number;
};

export const CONTACTS_KEY = ['contacts'] as const;

export function useContacts(kind: ContactKind) {
  return useQuery({
    queryKey: [...CONTACTS_KEY, kind],
    queryFn: async () => data(await api.GET('/api/v1/contacts', { params: { query: { kind } } })).sort((a, b) => a.order - b.order),
  });
}

/** Every contact write refreshes all the contact lists (a change of kind moves a contact between them). */
export function useContactWrite<V>(mutationFn: (v: V) => Promise<unknown>, onDone?: () => void) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn,
    onSuccess: async () => {
      onDone?.();
      await qc.invalidateQueries({ queryKey: CONTACTS_KEY });
    },
  });
}

export const addContact = async (body: ContactInput) => data(await api.POST('/api/v1/contacts', { params: { query: {} }, body }));
export const patchContact = async ({ id, body }: { id: string; body: ContactPatch }) =>
  data(await api.PATCH('/api/v1/contacts/{id}', { params: { path: { id }, query: {} }, body }));
export const removeContact = async (id: string) => {
  data(await api.DELETE('/api/v1/contacts/{id}', { params: { path: { id }, query: {} } }));
};
