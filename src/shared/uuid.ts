// Whether text from outside (a command, a button's value, a URL) can be one of our ids: a UUID,
// in either case, before it goes near a query.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}
