// The text a visitor reads (and button values, placeholders, labels), for the language check.
  const parts = [document.title];
  for (const el of textElements) for (const n of el.childNodes) if (n.nodeType === 3) parts.push(n.textContent.trim());
  for (const el of document.querySelectorAll('[placeholder], [aria-label], [title], input[type=submit]'))
    parts.push(el.getAttribute('placeholder') || '', el.getAttribute('aria-label') || '', el.getAttribute('title') || '', el.value || '');
  return parts.filter(Boolean);
