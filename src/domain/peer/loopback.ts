/**
 * Whether a host name (as in a URL, IPv6 in brackets or not) is this machine's loopback interface:
 * `localhost`, `127.0.0.0/8` or `::1`. Plain HTTP and a server without a token are allowed only there.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = /^(?:::ffff:)?127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return v4 !== null && v4.slice(1).every((o) => Number(o) <= 255);
}
