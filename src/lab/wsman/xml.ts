// A small namespace-aware XML tree over fast-xml-parser. Requests are matched by namespace URI, so
// any prefix (env:, s:, wsa:, default namespace, ...) works; values stay strings (no number coercion).
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { NS } from './namespaces.ts';

export interface XmlAttr {
  ns: string;
  local: string;
  value: string;
}

export interface XmlElement {
  ns: string;
  local: string;
  attrs: XmlAttr[];
  children: XmlElement[];
  /** Concatenated direct text (CDATA included), untrimmed. */
  text: string;
}

export class XmlSyntaxError extends Error {}

const options = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  // Numeric character references (Windows writes &#xD; in fault texts); the switch also knows some HTML names.
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
};
const parser = new XMLParser(options);
// A document without "&" has no entity to decode; skipping the decoder's passes over every text
// node (large base64 stdin and streams) saves a fifth of the parse.
const parserWithoutEntities = new XMLParser({ ...options, processEntities: false });

type RawNode = Record<string, unknown>;

/** Parses a document and returns its root element; throws XmlSyntaxError on malformed input. */
export function parseXml(text: string): XmlElement {
  const verdict = XMLValidator.validate(text);
  if (verdict !== true) throw new XmlSyntaxError(verdict.err.msg);
  const nodes = (text.includes('&') ? parser : parserWithoutEntities).parse(text) as RawNode[];
  const roots = nodes.filter((n) => elementName(n) !== undefined);
  if (roots.length !== 1 || !roots[0]) throw new XmlSyntaxError('expected exactly one root element');
  return build(roots[0], new Map([['xml', NS.xml]]));
}

function elementName(node: RawNode): string | undefined {
  return Object.keys(node).find((k) => k !== ':@' && k !== '#text');
}

function build(node: RawNode, parentScope: Map<string, string>): XmlElement {
  const name = elementName(node) as string;
  const rawAttrs = (node[':@'] ?? {}) as Record<string, string>;
  const scope = new Map(parentScope);
  for (const [k, v] of Object.entries(rawAttrs)) {
    if (k === 'xmlns') scope.set('', v);
    else if (k.startsWith('xmlns:')) scope.set(k.slice(6), v);
  }
  const attrs: XmlAttr[] = [];
  for (const [k, v] of Object.entries(rawAttrs)) {
    if (k === 'xmlns' || k.startsWith('xmlns:')) continue;
    const [prefix, local] = splitName(k);
    // Unprefixed attributes are in no namespace (e.g. pywinrm's bare mustUnderstand).
    attrs.push({ ns: prefix === '' ? '' : resolve(scope, prefix, k), local, value: String(v) });
  }
  const [prefix, local] = splitName(name);
  const el: XmlElement = { ns: resolve(scope, prefix, name, true), local, attrs, children: [], text: '' };
  for (const child of (node[name] ?? []) as RawNode[]) {
    if ('#text' in child) el.text += String(child['#text']);
    else if (elementName(child) !== undefined) el.children.push(build(child, scope));
  }
  return el;
}

function splitName(name: string): [string, string] {
  const i = name.indexOf(':');
  return i < 0 ? ['', name] : [name.slice(0, i), name.slice(i + 1)];
}

function resolve(scope: Map<string, string>, prefix: string, qname: string, isElement = false): string {
  const uri = scope.get(prefix);
  if (uri !== undefined) return uri;
  if (prefix === '' && isElement) return '';
  throw new XmlSyntaxError(`unbound namespace prefix in ${qname}`);
}

/** First child element with that namespace and local name. */
export function child(el: XmlElement | undefined, ns: string, local: string): XmlElement | undefined {
  return el?.children.find((c) => c.ns === ns && c.local === local);
}

export function childrenNamed(el: XmlElement | undefined, ns: string, local: string): XmlElement[] {
  return el ? el.children.filter((c) => c.ns === ns && c.local === local) : [];
}

/** Attribute by local name, in no namespace or any namespace (clients differ in prefixing). */
export function attr(el: XmlElement | undefined, local: string): string | undefined {
  if (!el) return undefined;
  const exact = el.attrs.find((a) => a.local === local && a.ns === '');
  return (exact ?? el.attrs.find((a) => a.local === local))?.value;
}

export function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;');
}
