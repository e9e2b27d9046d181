// The designer's canvas: arrow keys on a focused node move the node (handled on the server), not the page.
document.addEventListener('keydown', e => {
    if (e.key.startsWith('Arrow') && e.target instanceof Element && e.target.closest('.rw-node')) e.preventDefault();
});
