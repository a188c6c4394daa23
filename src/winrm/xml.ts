// XML reading, prefix-agnostic: element names lose their prefixes (removeNSPrefix), so `s:Body`,
// `env:Body` and `Body` are all `Body`. Nothing is coerced: a base64 chunk "0000" or an exit code
// stays a string until we convert it on purpose.
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export type XmlNode = Record<string, unknown>;

const options = {
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  // Numeric character references (Windows writes &#xD; in fault texts); the switch also knows some HTML names.
  htmlEntities: true,
  // Elements that may repeat are always arrays, so a single one does not change the shape.
  isArray: (name: string) => name === 'Stream' || name === 'Selector' || name === 'Option' || name === 'Arguments',
};
const parser = new XMLParser(options);
// A document without "&" has no entity to decode: skip the decoder's passes over every text node
// (the base64 streams of a large result).
const parserWithoutEntities = new XMLParser({ ...options, processEntities: false });

/** Parses a document; returns undefined if it is not well-formed XML. */
export function parseXml(text: string): XmlNode | undefined {
  if (text.trim() === '' || XMLValidator.validate(text) !== true) return undefined;
  const doc: unknown = (text.includes('&') ? parser : parserWithoutEntities).parse(text);
  return isNode(doc) ? doc : undefined;
}

export function isNode(value: unknown): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first child element with this local name (arrays collapse to their first item). */
export function child(node: unknown, name: string): XmlNode | string | undefined {
  if (!isNode(node)) return undefined;
  const value = node[name];
  const first = Array.isArray(value) ? value[0] : value;
  return isNode(first) || typeof first === 'string' ? first : first === '' ? '' : undefined;
}

/** All child elements with this local name. */
export function children(node: unknown, name: string): Array<XmlNode | string> {
  if (!isNode(node)) return [];
  const value = node[name];
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.filter((v): v is XmlNode | string => isNode(v) || typeof v === 'string');
}

/** Follows a path of local names. */
export function path(node: unknown, ...names: string[]): XmlNode | string | undefined {
  let current: unknown = node;
  for (const name of names) current = child(current, name);
  return current as XmlNode | string | undefined;
}

/** Text of an element: its own text, or all nested text joined (for f:Message with nested provider faults). */
export function textOf(node: unknown): string {
  if (typeof node === 'string') return node;
  if (!isNode(node)) return '';
  const own = node['#text'];
  if (typeof own === 'string') return own;
  const parts: string[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('@_')) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      const text = textOf(item);
      if (text) parts.push(text);
    }
  }
  return parts.join(' ');
}

export function attr(node: unknown, name: string): string | undefined {
  if (!isNode(node)) return undefined;
  const value = node[`@_${name}`];
  return typeof value === 'string' ? value : undefined;
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text or attribute content. XML 1.0 cannot carry most control characters at all: refuse them. */
export function escapeXml(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(value)) {
    throw new RangeError('text contains control characters that XML 1.0 cannot carry');
  }
  return value.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}
