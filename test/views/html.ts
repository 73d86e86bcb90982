/**
 * A small HTML tree builder and selector engine for asserting on the plugin's server-rendered pages in tests.
 * It covers what hono/jsx emits (quoted attributes, void and self-closed elements, raw-text elements, entities);
 * it is not a general HTML5 parser: swap it for `parse5` once that is a dependency.
 */
export interface HtmlElement {
  tag: string;
  attrs: Record<string, string>;
  children: HtmlNode[];
  parent: HtmlElement | null;
}
export type HtmlNode = HtmlElement | string;

const voidTags = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const rawTextTags = new Set(['script', 'style', 'textarea', 'title']);
const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] === '#') {
      const code = entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
      return Number.isFinite(code) ? String.fromCodePoint(code) : whole;
    }
    return named[entity.toLowerCase()] ?? whole;
  });
}

function parseAttributes(source: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  const pattern = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  for (const match of source.matchAll(pattern)) {
    attrs[match[1]!.toLowerCase()] = decodeEntities(match[2] ?? match[3] ?? match[4] ?? '');
  }
  return attrs;
}

/** Parses a document or fragment into a root element (tag `#root`). */
export function parseHtml(html: string): HtmlElement {
  const root: HtmlElement = { tag: '#root', attrs: {}, children: [], parent: null };
  let current = root;
  let index = 0;
  const tagPattern = /<(\/?)([a-zA-Z][^\s/>]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/y;
  while (index < html.length) {
    const open = html.indexOf('<', index);
    if (open === -1) {
      current.children.push(decodeEntities(html.slice(index)));
      break;
    }
    if (open > index) current.children.push(decodeEntities(html.slice(index, open)));
    if (html.startsWith('<!--', open)) {
      const end = html.indexOf('-->', open);
      index = end === -1 ? html.length : end + 3;
      continue;
    }
    if (html.startsWith('<!', open)) {
      index = html.indexOf('>', open) + 1 || html.length;
      continue;
    }
    tagPattern.lastIndex = open;
    const match = tagPattern.exec(html);
    if (!match) {
      current.children.push('<');
      index = open + 1;
      continue;
    }
    index = tagPattern.lastIndex;
    const [, closing, rawName, rest] = match;
    const tag = rawName!.toLowerCase();
    if (closing) {
      for (let node: HtmlElement | null = current; node && node !== root; node = node.parent) {
        if (node.tag === tag) {
          current = node.parent ?? root;
          break;
        }
      }
      continue;
    }
    const selfClosed = rest!.trimEnd().endsWith('/');
    const element: HtmlElement = { tag, attrs: parseAttributes(selfClosed ? rest!.trimEnd().slice(0, -1) : rest!), children: [], parent: current };
    current.children.push(element);
    if (voidTags.has(tag) || selfClosed) continue;
    if (rawTextTags.has(tag)) {
      const end = html.toLowerCase().indexOf(`</${tag}`, index);
      const content = html.slice(index, end === -1 ? html.length : end);
      if (content) element.children.push(tag === 'script' || tag === 'style' ? content : decodeEntities(content));
      index = end === -1 ? html.length : html.indexOf('>', end) + 1;
      continue;
    }
    current = element;
  }
  return root;
}

type Condition = (element: HtmlElement) => boolean;

function compound(selector: string): Condition {
  const conditions: Condition[] = [];
  const pattern = /([a-zA-Z][\w-]*)|#([\w-]+)|\.([\w-]+)|\[([^\]=~^$*]+)(?:([~^$*]?=)"([^"]*)")?\]/g;
  let consumed = 0;
  for (const match of selector.matchAll(pattern)) {
    if (match.index !== consumed) throw new Error(`Unsupported selector: ${selector}`);
    consumed += match[0].length;
    const [, tag, id, className, attr, operator, value] = match;
    if (tag) conditions.push((e) => e.tag === tag.toLowerCase());
    else if (id) conditions.push((e) => e.attrs.id === id);
    else if (className) conditions.push((e) => (e.attrs.class ?? '').split(/\s+/).includes(className));
    else if (attr) {
      const name = attr.trim().replace(/\\(.)/g, '$1').toLowerCase();
      conditions.push((e) => {
        const actual = e.attrs[name];
        if (actual === undefined) return false;
        if (!operator) return true;
        if (operator === '=') return actual === value;
        if (operator === '^=') return actual.startsWith(value!);
        if (operator === '$=') return actual.endsWith(value!);
        if (operator === '*=') return actual.includes(value!);
        return actual.split(/\s+/).includes(value!);
      });
    }
  }
  if (consumed !== selector.length) throw new Error(`Unsupported selector: ${selector}`);
  return (e) => conditions.every((condition) => condition(e));
}

function descendants(element: HtmlElement): HtmlElement[] {
  const found: HtmlElement[] = [];
  const pending = [...element.children].reverse();
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (typeof node === 'string') continue;
    found.push(node);
    for (let i = node.children.length - 1; i >= 0; i--) pending.push(node.children[i]!);
  }
  return found;
}

/** Every element under `scope` matching a selector of compound parts joined by spaces (descendant), in document order. */
export function queryAll(scope: HtmlElement, selector: string): HtmlElement[] {
  const parts = selector.trim().split(/\s+(?![^[]*\])/).map(compound);
  const last = parts.pop()!;
  return descendants(scope).filter((element) => {
    if (!last(element)) return false;
    let remaining = parts.length - 1;
    for (let node = element.parent; node && remaining >= 0; node = node.parent) {
      if (node !== scope && parts[remaining]!(node)) remaining--;
      if (node === scope) break;
    }
    return remaining < 0;
  });
}

/** The first element matching, or an error naming the selector. */
export function query(scope: HtmlElement, selector: string): HtmlElement {
  const found = queryAll(scope, selector)[0];
  if (!found) throw new Error(`No element matches ${selector}`);
  return found;
}

/** The element's text, whitespace collapsed. */
export function textOf(node: HtmlNode): string {
  const raw = (n: HtmlNode): string => (typeof n === 'string' ? n : n.children.map(raw).join(''));
  return raw(node).replace(/\s+/g, ' ').trim();
}
