// The large-text figures of the issue; runs after text_elements.js, returns the measurements.
  const rgba = (s) => { const m = s.match(/[\d.]+/g) || [0, 0, 0, 0]; return m.map(Number).concat([1]).slice(0, 4); };
  const lum = ([r, g, b]) => { const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const blend = (top, bottom) => { const a = top[3]; return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat([1]); };
  // The colour behind an element: its own and its ancestors' backgrounds, composed over white.
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.backgroundImage !== 'none') return null;  // a gradient or picture: cannot be measured
      const c = rgba(cs.backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    return layers.reverse().reduce((under, top) => blend(top, under), [255, 255, 255, 1]);
  };
  const contrast = (el) => {
    const bg = background(el); if (!bg) return null;
    const fg = blend(rgba(getComputedStyle(el).color), bg);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
  };
  const small = [], tight = [], faint = [], unmeasured = [];
  for (const el of textElements) {
    const cs = getComputedStyle(el), size = parseFloat(cs.fontSize);
    const height = cs.lineHeight === 'normal' ? 1.2 * size : parseFloat(cs.lineHeight);
    if (size < 19.9) small.push(label(el) + ' ' + size + 'px');
    if (height / size < 1.499) tight.push(label(el) + ' ' + (height / size).toFixed(2));
    const ratio = contrast(el);
    if (ratio === null) unmeasured.push(label(el));
    else if (ratio < 7) faint.push(label(el) + ' ' + ratio.toFixed(2) + ':1');
  }
  // Tap targets: links, buttons, fields, summaries; a checkbox or radio button counts with its label.
  const targets = new Set();
  for (const el of document.body.querySelectorAll('a[href], button, input, select, textarea, summary')) {
    if (el.type === 'hidden' || el.closest('.skip-link')) continue;
    const target = (el.type === 'checkbox' || el.type === 'radio') && el.closest('label') ? el.closest('label') : el;
    if (visible(target)) targets.add(target);
  }
  const tiny = [...targets].filter((el) => { const r = el.getBoundingClientRect(); return r.width < 59.5 || r.height < 59.5; })
    .map((el) => { const r = el.getBoundingClientRect(); return label(el) + ' ' + Math.round(r.width) + '×' + Math.round(r.height); });
  const body = parseFloat(getComputedStyle(document.body).fontSize);
  return { body, textElements: textElements.length, targets: targets.size, small, tight, faint, unmeasured, tiny,
    scrollWidth: document.documentElement.scrollWidth, viewport: window.innerWidth };
