/**
 * A picture of a workflow, drawn on the server as SVG without any layout tool: statuses in
 * columns by their distance from the initial status (closing statuses together in a last column,
 * so the picture reads from the request to its outcomes), transitions as labelled arrows. Meant
 * for agents who configure a procedure and for its documentation, so it must read well in black
 * and white and through a screen reader (category written in each box, a French text
 * alternative listing every status and transition).
 *
 * Routing stays simple and predictable: an arrow to the next column is a curve across the gap
 * between columns; any other arrow runs in lanes that never cross a box — up the gaps and over
 * the boxes when it goes forward further, down the gaps and under the boxes when it goes back,
 * along the right-hand gap when it stays in its column.
 */
import type { StatusCategory, WorkflowDefinition } from './definition.js';

const BOX_WIDTH = 200;
const BOX_HEIGHT = 72;
const COLUMN_GAP = 200;
const ROW_GAP = 48;
const MARGIN = 24;
/** Distance between parallel lanes, and from a lane to the boxes or the channel it leaves. */
const LANE = 10;
const CHANNEL = 24;
/** Distance between the lanes of the channels above and below the boxes: one line of label each. */
const CHANNEL_LANE = 20;
const CHANNEL_LABEL_CHARS = 44;
const LABEL_CHARS = 24;
const EDGE_LABEL_CHARS = 26;
const CHAR_WIDTH = 6.6;
const LINE_HEIGHT = 15;
const STAR = '*';

const CATEGORY_STYLES: Record<StatusCategory, { label: string; fill: string; stroke: string }> = {
  new: { label: 'Nouveau', fill: '#e8f0fe', stroke: '#1a56db' },
  in_progress: { label: 'En cours', fill: '#fff4ce', stroke: '#7a5d00' },
  waiting_citizen: { label: 'En attente de l’usager', fill: '#fde8d7', stroke: '#a34100' },
  waiting_third_party: { label: 'En attente d’un tiers', fill: '#efe6fb', stroke: '#6b3fa0' },
  closed_accepted: { label: 'Clos – accepté', fill: '#e3f4e8', stroke: '#1e7b34' },
  closed_refused: { label: 'Clos – refusé', fill: '#fbe4e4', stroke: '#b42318' },
  closed_without_action: { label: 'Clos – sans suite', fill: '#eeeeee', stroke: '#4d4d4d' },
};
const CATEGORY_ORDER = Object.keys(CATEGORY_STYLES);
const UNKNOWN_STYLE = { label: 'Catégorie inconnue', fill: '#ffffff', stroke: '#4d4d4d' };

const UNIT_LABELS: Record<string, [string, string]> = {
  business_days: ['jour ouvré', 'jours ouvrés'],
  business_hours: ['heure ouvrée', 'heures ouvrées'],
  calendar_days: ['jour', 'jours'],
};

type Transition = WorkflowDefinition['transitions'][number];
interface Box { id: string; label: string; category: StatusCategory | undefined; closed: boolean; column: number; row: number; x: number; y: number }
interface Edge { from: Box; to: Box; labels: string[]; titles: string[] }
interface Point { x: number; y: number }
interface Area { x: number; y: number; width: number; height: number }
type Side = 'left' | 'right' | 'top';

/** Escapes text for XML content and attribute values. */
function xml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[char]!);
}

/** Coordinates with one decimal at most, so the output is stable and compact. */
function n(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/** Splits `text` into at most `maxLines` lines of about `width` characters, ending with « … » if cut. */
function wrap(text: string, width: number, maxLines: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    const pieces = word.length > width ? word.match(new RegExp(`.{1,${width}}`, 'gu')) ?? [word] : [word];
    for (const piece of pieces) {
      if (current === '') current = piece;
      else if (current.length + 1 + piece.length <= width) current = `${current} ${piece}`;
      else {
        lines.push(current);
        current = piece;
      }
    }
  }
  if (current !== '') lines.push(current);
  if (lines.length <= maxLines) return lines.length === 0 ? [''] : lines;
  const kept = lines.slice(0, maxLines);
  const last = kept[maxLines - 1]!;
  kept[maxLines - 1] = `${last.length >= width ? last.slice(0, width - 1) : last}…`;
  return kept;
}

function durationText(after: unknown): string {
  if (typeof after !== 'object' || after === null) return '';
  const { value, unit } = after as { value?: unknown; unit?: unknown };
  const names = typeof unit === 'string' ? UNIT_LABELS[unit] : undefined;
  if (typeof value !== 'number' || names === undefined) return '';
  return `${String(value).replace('.', ',')} ${value > 1 ? names[1] : names[0]}`;
}

function overlaps(a: Area, b: Area): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** Moves a label down or up, by steps, until it covers neither a box nor an already placed label. */
function placeLabel(taken: readonly Area[], wanted: Area): Area {
  for (let step = 0; step < 60; step += 1) {
    const offset = (step % 2 === 0 ? 1 : -1) * Math.ceil(step / 2) * (LINE_HEIGHT / 2);
    const area = { ...wanted, y: wanted.y + offset };
    if (!taken.some((other) => overlaps(area, other))) return area;
  }
  return wanted;
}

/** Keeps track of how far the drawing extends, to size the canvas. */
class Bounds {
  minX = Infinity;
  minY = Infinity;
  maxX = -Infinity;
  maxY = -Infinity;
  add(x: number, y: number): void {
    this.minX = Math.min(this.minX, x);
    this.minY = Math.min(this.minY, y);
    this.maxX = Math.max(this.maxX, x);
    this.maxY = Math.max(this.maxY, y);
  }
}

function isClosedCategory(category: unknown): boolean {
  return String(category).startsWith('closed_');
}

/**
 * Columns by breadth-first distance from `initial` along the arrows (transitions from every open
 * status are a note, not arrows); open statuses reached otherwise or not at all come next, then
 * every closing status, by category.
 */
function layout(def: WorkflowDefinition): Map<string, Box> {
  const statuses = Array.isArray(def.statuses) ? def.statuses : [];
  const transitions = Array.isArray(def.transitions) ? def.transitions : [];
  const known = new Map(statuses.map((status) => [status.id, status]));
  const columns = new Map<string, number>();
  const order: string[] = [];
  if (known.has(def.initial)) {
    columns.set(def.initial, 0);
    order.push(def.initial);
    for (let index = 0; index < order.length; index += 1) {
      const current = order[index]!;
      if (index > 0 && isClosedCategory(known.get(current)?.category)) continue;
      for (const transition of transitions) {
        const from = Array.isArray(transition.from) ? transition.from : [];
        if (!from.includes(current) || !known.has(transition.to) || columns.has(transition.to)) continue;
        columns.set(transition.to, columns.get(current)! + 1);
        order.push(transition.to);
      }
    }
  }
  const open = order.filter((id) => id === def.initial || !isClosedCategory(known.get(id)?.category));
  const lastOpen = Math.max(-1, ...open.map((id) => columns.get(id)!));
  const unplaced = statuses.filter((status) => !open.includes(status.id) && !isClosedCategory(status.category)).map((status) => status.id);
  const outcomes = statuses
    .filter((status) => status.id !== def.initial && isClosedCategory(status.category))
    .sort((a, b) => CATEGORY_ORDER.indexOf(a.category) - CATEGORY_ORDER.indexOf(b.category))
    .map((status) => status.id);
  const unplacedColumn = lastOpen + 1;
  const outcomeColumn = lastOpen + (unplaced.length > 0 ? 2 : 1);
  const rows = new Map<number, number>();
  const boxes = new Map<string, Box>();
  const place = (id: string, column: number): void => {
    if (boxes.has(id)) return;
    const status = known.get(id)!;
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    const category = Object.hasOwn(CATEGORY_STYLES, status.category) ? status.category : undefined;
    boxes.set(id, {
      id, label: String(status.label ?? id), category, closed: isClosedCategory(status.category), column, row,
      x: column * (BOX_WIDTH + COLUMN_GAP), y: row * (BOX_HEIGHT + ROW_GAP),
    });
  };
  open.forEach((id) => place(id, columns.get(id)!));
  unplaced.forEach((id) => place(id, unplacedColumn));
  outcomes.forEach((id) => place(id, outcomeColumn));
  return boxes;
}

/** Transition labels, with the delay when a timer of the origin status takes the transition. */
function edgeLabel(def: WorkflowDefinition, transition: Transition, fromId: string): string {
  const status = def.statuses.find((candidate) => candidate.id === fromId);
  const timer = (Array.isArray(status?.timers) ? status.timers : []).find((candidate) => candidate.transition === transition.name);
  const delay = timer === undefined ? '' : durationText(timer.after);
  return delay === '' ? String(transition.label) : `${String(transition.label)} (auto. après ${delay})`;
}

/** One edge per pair of statuses, carrying the labels of its transitions. */
function edgesOf(def: WorkflowDefinition, boxes: Map<string, Box>): { edges: Edge[]; fromAnywhere: { label: string; to: string }[] } {
  const edges = new Map<string, Edge>();
  const fromAnywhere: { label: string; to: string }[] = [];
  for (const transition of Array.isArray(def.transitions) ? def.transitions : []) {
    const to = boxes.get(transition.to);
    const from = Array.isArray(transition.from) ? transition.from : [];
    if (from.includes(STAR)) fromAnywhere.push({ label: String(transition.label), to: to?.label ?? String(transition.to) });
    if (to === undefined) continue;
    for (const fromId of from) {
      const source = boxes.get(fromId);
      if (source === undefined) continue;
      const key = `${source.id}\u0000${to.id}`;
      const edge = edges.get(key) ?? { from: source, to, labels: [], titles: [] };
      const label = edgeLabel(def, transition, fromId);
      edge.labels.push(label);
      edge.titles.push(`${label} : de « ${source.label} » vers « ${to.label} »`);
      edges.set(key, edge);
    }
  }
  return { edges: [...edges.values()], fromAnywhere };
}

/** A polyline with rounded corners. */
function roundedPath(points: Point[], radius = 8): string {
  const [first, ...rest] = points;
  if (first === undefined) return '';
  let d = `M${n(first.x)} ${n(first.y)}`;
  rest.forEach((corner, index) => {
    const previous = points[index]!;
    const next = rest[index + 1];
    if (next === undefined) {
      d += ` L${n(corner.x)} ${n(corner.y)}`;
      return;
    }
    const toward = (from: Point, to: Point, length: number): Point => {
      const distance = Math.hypot(to.x - from.x, to.y - from.y) || 1;
      const r = Math.min(length, distance / 2);
      return { x: from.x + ((to.x - from.x) * r) / distance, y: from.y + ((to.y - from.y) * r) / distance };
    };
    const before = toward(corner, previous, radius);
    const after = toward(corner, next, radius);
    d += ` L${n(before.x)} ${n(before.y)} Q${n(corner.x)} ${n(corner.y)} ${n(after.x)} ${n(after.y)}`;
  });
  return d;
}

type Kind = 'self' | 'next' | 'column' | 'forward' | 'back';
/** Arrows drawn together: one or several origins joining one lane into a status, under one label. */
interface Group { kind: Kind; to: Box; members: Edge[]; labels: string[] }
/** A group once routed: one path per origin, the label's lines and where the label would like to sit. */
interface Drawing { group: Group; paths: { d: string; title: string }[]; points: Point[]; lines: string[]; wanted: Area }

function kindOf(edge: Edge): Kind {
  if (edge.from === edge.to) return 'self';
  if (edge.to.column === edge.from.column) return 'column';
  return edge.to.column > edge.from.column ? 'forward' : 'back';
}

/**
 * Arrows going forward (or back) into the same status with the same labels share a lane and
 * one label (« Refuser » from four statuses is written once); a lone arrow to the next column
 * stays a plain curve.
 */
function groupEdges(edges: Edge[]): Group[] {
  const groups = new Map<string, Group>();
  edges.forEach((edge, index) => {
    const kind = kindOf(edge);
    const key = kind === 'forward' || kind === 'back' ? `${kind}\u0000${edge.to.id}\u0000${edge.labels.join('\n')}` : String(index);
    const group = groups.get(key) ?? { kind, to: edge.to, members: [], labels: edge.labels };
    group.members.push(edge);
    groups.set(key, group);
  });
  return [...groups.values()].map((group) => {
    const single = group.members.length === 1 ? group.members[0]! : undefined;
    return group.kind === 'forward' && single !== undefined && single.from.column + 1 === group.to.column ? { ...group, kind: 'next' } : group;
  });
}

/** The sides an arrow leaves its origin from and enters its destination by. */
const SIDES: Record<Kind, [Side, Side]> = {
  self: ['right', 'top'], next: ['right', 'left'], column: ['right', 'right'], forward: ['right', 'left'], back: ['left', 'right'],
};

function labelArea(lines: string[]): { width: number; height: number } {
  return { width: Math.max(...lines.map((line) => line.length)) * CHAR_WIDTH + 8, height: lines.length * LINE_HEIGHT + 4 };
}

/**
 * Chooses the route of every group. Ports are spread along each side of a box and lanes are
 * numbered per gap side and per channel, so parallel arrows stay apart.
 */
function routeGroups(groups: Group[], boxes: Map<string, Box>): Drawing[] {
  const boxList = [...boxes.values()];
  const top = Math.min(0, ...boxList.map((box) => box.y));
  const loopsOnTop = groups.some((group) => group.kind === 'self' && group.to.y === top);
  const counts = new Map<string, number>();
  const slotKey = (box: Box, side: Side): string => `${box.id}\u0000${side}`;
  const count = (box: Box, side: Side): void => { counts.set(slotKey(box, side), (counts.get(slotKey(box, side)) ?? 0) + 1); };
  for (const group of groups) {
    const [out, into] = SIDES[group.kind];
    group.members.forEach((edge) => count(edge.from, out));
    count(group.to, into);
  }
  const used = new Map<string, number>();
  const port = (box: Box, side: Side): Point => {
    const key = slotKey(box, side);
    const slot = used.get(key) ?? 0;
    used.set(key, slot + 1);
    const fraction = (slot + 1) / ((counts.get(key) ?? 1) + 1);
    if (side === 'top') return { x: box.x + BOX_WIDTH * (0.5 + fraction / 2), y: box.y };
    return { x: side === 'left' ? box.x : box.x + BOX_WIDTH, y: box.y + BOX_HEIGHT * fraction };
  };
  const lanes = new Map<string, number>();
  const lane = (key: string): number => {
    const index = lanes.get(key) ?? 0;
    lanes.set(key, index + 1);
    return index;
  };
  const rightLane = (column: number): number => column * (BOX_WIDTH + COLUMN_GAP) + BOX_WIDTH + LANE * (1 + lane(`right${column}`));
  const leftLane = (column: number): number => column * (BOX_WIDTH + COLUMN_GAP) - LANE * (1 + lane(`left${column}`));
  const titleOf = (edge: Edge): string => edge.titles.join(' ; ');
  // Arrows going back run under the boxes of the columns they span, each on a free track.
  const tracks: { y: number; from: number; to: number }[] = [];
  const bottomTrack = (group: Group, from: number, to: number): number => {
    const columns = group.members.flatMap((edge) => [edge.from.column, edge.to.column]);
    const [first, last] = [Math.min(...columns), Math.max(...columns)];
    const spanned = boxList.filter((box) => box.column >= first && box.column <= last);
    let y = Math.max(0, ...spanned.map((box) => box.y + BOX_HEIGHT)) + CHANNEL;
    while (tracks.some((track) => track.y === y && track.from < to + LANE && from - LANE < track.to)) y += CHANNEL_LANE;
    tracks.push({ y, from, to });
    return y;
  };

  return groups.map((group): Drawing => {
    const [out, into] = SIDES[group.kind];
    const first = group.members[0]!;
    switch (group.kind) {
      case 'self': {
        const start = port(first.from, out);
        const end = port(group.to, into);
        const x = rightLane(first.from.column);
        const y = first.from.y - 14 - LANE * lane(`self${first.from.id}`);
        const points = [start, { x, y: start.y }, { x, y }, { x: end.x, y }, end];
        const lines = group.labels.flatMap((label) => wrap(label, EDGE_LABEL_CHARS, 2));
        const { width, height } = labelArea(lines);
        return { group, paths: [{ d: roundedPath(points), title: titleOf(first) }], points, lines, wanted: { x: (x + end.x) / 2 - width / 2, y: y - height - 2, width, height } };
      }
      case 'next': {
        const start = port(first.from, out);
        const end = port(group.to, into);
        const dx = (end.x - start.x) / 2;
        const c1 = { x: start.x + dx, y: start.y };
        const c2 = { x: end.x - dx, y: end.y };
        const d = `M${n(start.x)} ${n(start.y)} C${n(c1.x)} ${n(c1.y)} ${n(c2.x)} ${n(c2.y)} ${n(end.x)} ${n(end.y)}`;
        const lines = group.labels.flatMap((label) => wrap(label, EDGE_LABEL_CHARS, 2));
        const { width, height } = labelArea(lines);
        const mid = { x: (start.x + end.x) / 2, y: (start.y + end.y) / 2 };
        return { group, paths: [{ d, title: titleOf(first) }], points: [start, c1, c2, end], lines, wanted: { x: mid.x - width / 2, y: mid.y - height / 2, width, height } };
      }
      case 'column': {
        const start = port(first.from, out);
        const end = port(group.to, into);
        const x = rightLane(first.from.column);
        const points = [start, { x, y: start.y }, { x, y: end.y }, end];
        const lines = group.labels.flatMap((label) => wrap(label, EDGE_LABEL_CHARS, 2));
        const { width, height } = labelArea(lines);
        return { group, paths: [{ d: roundedPath(points), title: titleOf(first) }], points, lines, wanted: { x: x + 4, y: (start.y + end.y) / 2 - height / 2, width, height } };
      }
      case 'forward':
      case 'back': {
        const forward = group.kind === 'forward';
        const end = port(group.to, into);
        const laneX = forward ? leftLane(group.to.column) : rightLane(group.to.column);
        const starts = group.members.map((edge) => ({ edge, start: port(edge.from, out), exitX: forward ? rightLane(edge.from.column) : leftLane(edge.from.column) }));
        const lines = wrap(group.labels.join(' / '), CHANNEL_LABEL_CHARS, 1);
        const { width, height } = labelArea(lines);
        const labelX = forward ? laneX - 8 - width : laneX + 8;
        const xs = [laneX, labelX, labelX + width, ...starts.map(({ exitX }) => exitX)];
        const y = forward
          ? top - CHANNEL - (loopsOnTop ? 2 * CHANNEL : 0) - CHANNEL_LANE * lane('top')
          : bottomTrack(group, Math.min(...xs), Math.max(...xs));
        const points: Point[] = [];
        const paths = starts.map(({ edge, start, exitX }) => {
          const route = [start, { x: exitX, y: start.y }, { x: exitX, y }, { x: laneX, y }, { x: laneX, y: end.y }, end];
          points.push(...route);
          return { d: roundedPath(route), title: titleOf(edge) };
        });
        return { group, paths, points, lines, wanted: { x: labelX, y: y - height / 2, width, height } };
      }
    }
  });
}

function textLines(lines: string[], x: number, firstY: number, attributes: string): string {
  const spans = lines.map((line, index) => `<tspan x="${n(x)}" y="${n(firstY + index * LINE_HEIGHT)}">${xml(line)}</tspan>`).join('');
  return `<text ${attributes}>${spans}</text>`;
}

function describe(def: WorkflowDefinition, boxes: Map<string, Box>): string {
  const statuses = Array.isArray(def.statuses) ? def.statuses : [];
  const transitions = Array.isArray(def.transitions) ? def.transitions : [];
  const name = (id: string): string => boxes.get(id)?.label ?? id;
  const statusText = statuses.map((status) => {
    const box = boxes.get(status.id);
    return `${name(status.id)} (${(box?.category ? CATEGORY_STYLES[box.category] : UNKNOWN_STYLE).label})`;
  }).join(' ; ');
  const transitionText = transitions.map((transition) => {
    const from = Array.isArray(transition.from) ? transition.from : [];
    const origins = from.map((id) => (id === STAR ? 'tout statut ouvert' : name(id))).join(', ');
    return `${String(transition.label)}, de ${origins} vers ${name(transition.to)}`;
  }).join(' ; ');
  return [
    `Circuit de traitement : ${statuses.length} statut${statuses.length > 1 ? 's' : ''}, ${transitions.length} transition${transitions.length > 1 ? 's' : ''}.`,
    `Statut initial : ${name(def.initial)}.`,
    `Statuts : ${statusText}.`,
    transitions.length > 0 ? `Transitions : ${transitionText}.` : 'Aucune transition.',
  ].join(' ');
}

function drawBox(box: Box, initial: boolean): string {
  const style = box.category ? CATEGORY_STYLES[box.category] : UNKNOWN_STYLE;
  const caption = `${style.label}${initial ? ' · statut initial' : ''}`;
  const lines = wrap(box.label, LABEL_CHARS, 2);
  const centre = box.x + BOX_WIDTH / 2;
  return [
    `<g class="status" data-status="${xml(box.id)}">`,
    `<title>${xml(`${box.label} (${caption})`)}</title>`,
    `<rect x="${n(box.x)}" y="${n(box.y)}" width="${BOX_WIDTH}" height="${BOX_HEIGHT}" rx="10" fill="${style.fill}" stroke="${style.stroke}" stroke-width="${box.closed || initial ? 3 : 1.5}"${box.closed ? ' stroke-dasharray="8 3"' : ''}/>`,
    textLines(lines, centre, box.y + (lines.length === 1 ? 30 : 22), 'class="status-label" text-anchor="middle" font-size="13" font-weight="600" fill="#1b1b1b"'),
    `<text class="status-category" font-size="11" x="${n(centre)}" y="${n(box.y + BOX_HEIGHT - 12)}" text-anchor="middle" fill="${style.stroke}">${xml(caption)}</text>`,
    '</g>',
  ].join('');
}

/**
 * Draws `def` as a standalone SVG document: one box per status (colour and written category),
 * one arrow per pair of statuses carrying the labels of its transitions, and a note for the
 * transitions open from every open status. Deterministic: the same definition gives the same
 * bytes. `idPrefix` keeps ids unique when several diagrams share a page; `title` names it.
 */
export function renderWorkflowSvg(def: WorkflowDefinition, options: { idPrefix?: string; title?: string } = {}): string {
  const prefix = (options.idPrefix ?? 'workflow').replace(/[^A-Za-z0-9_-]/g, '') || 'workflow';
  const title = options.title ?? 'Circuit de traitement';
  const boxes = layout(def);
  const { edges, fromAnywhere } = edgesOf(def, boxes);
  const bounds = new Bounds();
  const taken: Area[] = [];
  for (const box of boxes.values()) {
    bounds.add(box.x, box.y);
    bounds.add(box.x + BOX_WIDTH, box.y + BOX_HEIGHT);
    taken.push({ x: box.x - 2, y: box.y - 2, width: BOX_WIDTH + 4, height: BOX_HEIGHT + 4 });
  }

  const paths: string[] = [];
  const labels: string[] = [];
  for (const drawing of routeGroups(groupEdges(edges), boxes)) {
    drawing.points.forEach((point) => bounds.add(point.x, point.y));
    for (const { d, title: pathTitle } of drawing.paths) {
      paths.push(`<path d="${d}" fill="none" stroke="#333333" stroke-width="1.5" marker-end="url(#${prefix}-arrow)"><title>${xml(pathTitle)}</title></path>`);
    }
    const area = placeLabel(taken, drawing.wanted);
    taken.push(area);
    bounds.add(area.x, area.y);
    bounds.add(area.x + area.width, area.y + area.height);
    labels.push([
      '<g class="edge-label">',
      `<rect x="${n(area.x)}" y="${n(area.y)}" width="${n(area.width)}" height="${n(area.height)}" rx="3" fill="#ffffff" fill-opacity="0.9"/>`,
      textLines(drawing.lines, area.x + area.width / 2, area.y + LINE_HEIGHT - 1, 'text-anchor="middle" fill="#1b1b1b"'),
      '</g>',
    ].join(''));
  }

  const nodes = [...boxes.values()].map((box) => drawBox(box, box.id === def.initial));

  let note = '';
  if (fromAnywhere.length > 0) {
    const lines = ['Depuis tout statut ouvert :', ...fromAnywhere.flatMap(({ label, to }) => wrap(`« ${label} » → ${to}`, 60, 2))];
    const width = Math.max(...lines.map((line) => line.length)) * CHAR_WIDTH + 32;
    const height = lines.length * LINE_HEIGHT + 20;
    const x = Number.isFinite(bounds.minX) ? bounds.minX : 0;
    const y = (Number.isFinite(bounds.maxY) ? bounds.maxY : 0) + 32;
    bounds.add(x, y);
    bounds.add(x + width, y + height);
    note = [
      '<g class="from-anywhere">',
      `<rect x="${n(x)}" y="${n(y)}" width="${n(width)}" height="${n(height)}" rx="6" fill="#ffffff" stroke="#333333" stroke-dasharray="4 3"/>`,
      textLines(lines, x + 16, y + 22, 'class="note" fill="#1b1b1b"'),
      '</g>',
    ].join('');
  }

  if (!Number.isFinite(bounds.minX)) bounds.add(0, 0);
  const width = Math.ceil(bounds.maxX - bounds.minX + 2 * MARGIN);
  const height = Math.ceil(bounds.maxY - bounds.minY + 2 * MARGIN);
  // Text is styled with presentation attributes, not a <style> element: the Content-Security-Policy
  // (style-src 'self') drops inline style sheets, on the admin page and in the served .svg alike.
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${prefix}-title ${prefix}-desc" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" font-size="12">`,
    `<title id="${prefix}-title">${xml(title)}</title>`,
    `<desc id="${prefix}-desc">${xml(describe(def, boxes))}</desc>`,
    '<defs>',
    `<marker id="${prefix}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" fill="#333333"/></marker>`,
    '</defs>',
    '<rect width="100%" height="100%" fill="#ffffff"/>',
    `<g transform="translate(${n(MARGIN - bounds.minX)} ${n(MARGIN - bounds.minY)})">`,
    ...paths,
    ...nodes,
    ...labels,
    note,
    '</g>',
    '</svg>',
  ].filter((part) => part !== '').join('\n');
}
