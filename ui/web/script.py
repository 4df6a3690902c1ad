"""The chat's script and styles. The script runs once on page load: it turns each [n] of an
answer into a link to its passage, shows the sources of the answer the reader clicks (the
panel holds every answer's sources, see sources.py), and lets a "Searched for: ..." line be
clicked to edit that question in the box."""

from __future__ import annotations

SCRIPT = r"""
() => {
  if (window.ndChat) return;
  window.ndChat = true;
  const rows = () => [...document.querySelectorAll('#nd-chat .message-row.bot-row')];
  const sections = () => [...document.querySelectorAll('#nd-passages .nd-sources')];
  const shown = () => {
    const open = sections().find(s => !s.hidden);
    return open ? Number(open.dataset.answer) : 0;
  };
  const mark = () => {
    const k = shown();
    rows().forEach((r, i) => r.classList.toggle('nd-selected', i + 1 === k));
  };
  const show = k => {
    sections().forEach(s => { s.hidden = s.dataset.answer !== String(k); });
    mark();
  };
  const linkify = () => {
    rows().forEach(row => {
      row.querySelectorAll('.message-content .md').forEach(md => {
        const walker = document.createTreeWalker(md, NodeFilter.SHOW_TEXT);
        const found = [];
        while (walker.nextNode()) {
          const t = walker.currentNode;
          if (/\[\d+\]/.test(t.data) && !t.parentElement.closest('a')) found.push(t);
        }
        found.forEach(t => {
          const parts = document.createDocumentFragment();
          let last = 0;
          for (const m of t.data.matchAll(/\[(\d+)\]/g)) {
            parts.append(t.data.slice(last, m.index));
            const a = document.createElement('a');
            a.href = '#';
            a.className = 'nd-cite';
            a.dataset.n = m[1];
            a.title = 'Go to passage ' + m[1];
            a.textContent = m[0];
            parts.append(a);
            last = m.index + m[0].length;
          }
          parts.append(t.data.slice(last));
          t.replaceWith(parts);
        });
        md.querySelectorAll('em').forEach(em => {
          const text = em.textContent;
          if (text.startsWith('Searched for: ') && !em.classList.contains('nd-searched')) {
            em.classList.add('nd-searched');
            em.title = 'Click to edit this question and ask again';
          }
        });
      });
    });
  };
  let queued = false;
  const sync = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; linkify(); mark(); });
  };
  const watched = {childList: true, subtree: true, characterData: true};
  new MutationObserver(sync).observe(document.body, watched);
  sync();
  document.addEventListener('click', e => {
    const row = e.target.closest('#nd-chat .message-row.bot-row');
    if (!row) return;
    const cite = e.target.closest('a.nd-cite');
    if (cite) e.preventDefault();
    const searched = e.target.closest('em.nd-searched');
    if (searched) {
      const box = document.querySelector('#nd-question textarea');
      box.value = searched.textContent.slice('Searched for: '.length);
      box.dispatchEvent(new Event('input', {bubbles: true}));
      box.focus();
      return;
    }
    const k = rows().indexOf(row) + 1;
    if (!document.getElementById('nd-answer-' + k)) return;  // a draft: no sources yet
    show(k);
    const target = cite
      ? document.getElementById('nd-s' + k + '-' + cite.dataset.n)
      : document.getElementById('nd-answer-' + k);
    if (!target) return;
    const old = document.querySelectorAll('#nd-passages .nd-target');
    old.forEach(x => x.classList.remove('nd-target'));
    if (cite) target.classList.add('nd-target');
    target.scrollIntoView({behavior: 'smooth', block: cite ? 'center' : 'nearest'});
  });
}
"""

CSS = """
.nd-passage { border-left: 3px solid var(--color-accent); padding: 4px 10px; margin: 8px 0;
  scroll-margin: 80px; transition: background 0.3s; }
.nd-passage mark { background: #ffe58a; color: inherit; padding: 0 2px; }
.nd-passage mark.nd-short { background: #ffc53d; font-weight: bold; padding: 0; }
.nd-passage.nd-target { background: var(--color-accent-soft);
  outline: 2px solid var(--color-accent); }
.nd-passage.nd-related { border-left: 3px dashed var(--neutral-400); opacity: 0.9; }
.nd-badge { display: inline-block; font-size: 0.75em; text-transform: uppercase;
  letter-spacing: 0.04em; border: 1px solid var(--neutral-400); border-radius: 4px;
  padding: 0 4px; margin-right: 6px; color: var(--body-text-color-subdued); }
.nd-meta { font-size: 0.85em; opacity: 0.8; }
.nd-asked, .nd-count, .nd-note, .nd-empty { font-size: 0.9em; margin: 2px 0; }
.nd-asked { font-style: italic; }
.nd-refused { color: var(--body-text-color); }
#nd-chat a.nd-cite { font-weight: 600; text-decoration: none; color: var(--link-text-color);
  cursor: pointer; }
#nd-chat a.nd-cite:hover { text-decoration: underline; }
#nd-chat em.nd-searched { cursor: pointer; text-decoration: underline dotted; }
#nd-chat .bot-row .message { cursor: pointer; }
#nd-chat .bot-row.nd-selected .message { outline: 2px solid var(--color-accent-soft); }
@media (max-width: 640px) {
  #nd-chat { height: 65vh !important; }
}
"""
