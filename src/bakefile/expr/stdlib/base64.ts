/** Go's base64.StdEncoding.DecodeString: the padded standard alphabet, with \r and \n ignored. */
export function decodeStdBase64(s: string): Buffer | undefined {
  const compact = s.replace(/[\r\n]/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(compact)) return undefined;
  return Buffer.from(compact, 'base64');
}
