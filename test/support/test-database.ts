/** The test setup refuses any database whose name lacks "test": a stray DATABASE_URL must never be wiped. */
export function assertTestDatabase(url: string): void {
  const name = new URL(url).pathname.replace(/^\//, '');
  if (!name.toLowerCase().includes('test')) {
    throw new Error(`Refusing to run tests against database "${name}": its name must contain "test".`);
  }
}
