// Every element that shows text of its own (a non-blank text node child), visible on screen.
const visible = (el) => {
  const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
  return r.width > 1 && r.height > 1 && cs.visibility !== 'hidden' && cs.display !== 'none'
    && r.right > 0 && r.left < document.documentElement.clientWidth;
};
const hidden = (el) => el.closest('.visually-hidden, .skip-link, svg, canvas, script, style, noscript, title');
const textElements = [...document.body.querySelectorAll('*')].filter((el) =>
  !hidden(el) && visible(el) &&
  [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()));
const label = (el) => (el.tagName.toLowerCase() + (el.className && typeof el.className === 'string'
  ? '.' + el.className.trim().split(/\s+/).join('.') : '') + ' "' + el.textContent.trim().slice(0, 24) + '"');
