// The preview page's script: listens to the server's events and reloads the frames whose edition
// changed, keeping each frame's scroll position; shows the problems of the latest save.
// A file of its own (no inline script), so the page runs under a strict Content-Security-Policy.

const frames = [...document.querySelectorAll('iframe[data-edition]')];
/** The generation each group of frames shows: "editions" (email, text, web) and "pdf". */
const shown = { editions: undefined, pdf: undefined };

function reload(frame, version) {
  let x = 0;
  let y = 0;
  try {
    x = frame.contentWindow.scrollX;
    y = frame.contentWindow.scrollY;
  } catch {
    // Not loaded yet, or a document the page may not read (a PDF viewer).
  }
  frame.addEventListener(
    'load',
    () => {
      try {
        // The text part is set in 78 columns: show its lines as they are, not rewrapped.
        const plain = frame.dataset.src.endsWith('.txt') && frame.contentDocument.querySelector('pre');
        if (plain) plain.style.whiteSpace = 'pre';
        frame.contentWindow.scrollTo(x, y);
      } catch {
        // As above.
      }
    },
    { once: true },
  );
  frame.src = `${frame.dataset.src}?v=${version}`;
}

function time(iso) {
  return new Date(iso).toLocaleTimeString();
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function showStatus(state) {
  const parts = [];
  if (state.editions)
    parts.push(`Built ${time(state.editions.builtAt)} in ${Math.round(state.editions.ms)} ms`);
  else parts.push('Not built yet');
  if (state.pdfPending) parts.push('PDF being made…');
  else if (state.pdf) parts.push(`PDF ${time(state.pdf.builtAt)} in ${Math.round(state.pdf.ms)} ms`);
  const status = document.getElementById('status');
  status.textContent = parts.join(' · ');
  status.className = '';
  const title = state.editions ? `${state.editions.title} (${state.file})` : state.file;
  document.getElementById('title').textContent = `Preview: ${title}`;
  document.title = `Preview: ${state.editions ? state.editions.title : state.file}`;
}

function showProblems(state) {
  const section = document.getElementById('problems');
  const list = document.getElementById('problem-list');
  const stale = document.getElementById('stale');
  const errors = state.problems.filter((p) => p.severity === 'error').length;
  list.replaceChildren(
    ...state.problems.map((problem) => {
      const item = element('li', problem.severity);
      if (problem.where) {
        item.append(element('span', 'where', problem.where), ' ');
      }
      item.append(element('span', 'severity', `${problem.severity} ${problem.code}`), `: ${problem.message}`);
      if (problem.hint) item.append(element('span', 'hint', problem.hint));
      return item;
    }),
  );
  section.hidden = state.problems.length === 0;
  section.className = errors ? '' : 'warnings-only';
  section.dataset.errors = String(errors);
  stale.hidden = errors === 0;
  stale.textContent = state.editions
    ? `The editions below are the last good build, from ${time(state.editions.builtAt)}.`
    : 'Nothing could be built yet: fix the problems below and save.';
}

function update(state) {
  showStatus(state);
  showProblems(state);
  const versions = { editions: state.editions?.generation ?? 'none', pdf: state.pdf?.generation ?? 'none' };
  for (const group of Object.keys(versions)) {
    if (shown[group] === versions[group]) continue;
    shown[group] = versions[group];
    for (const frame of frames) if (frame.dataset.edition === group) reload(frame, versions[group]);
  }
  document.body.dataset.editions = String(versions.editions);
  document.body.dataset.pdf = String(versions.pdf);
}

const events = new EventSource('/events');
events.addEventListener('state', (event) => update(JSON.parse(event.data)));
events.addEventListener('error', () => {
  const status = document.getElementById('status');
  status.textContent = 'Lost contact with the preview server; retrying…';
  status.className = 'lost';
});
