export const TYPES_FILE: string;
export function typesFrom(document: unknown): Promise<string>;
export function generateTypes(): Promise<string>;
