/**
 * The tab's only script, served as a file (pages carry no inline scripts): a button with `data-copy-target="<id>"`
 * copies that element's text to the clipboard and says so in the nearest `[data-copy-status]`.
 */
export const copyScript = `document.addEventListener('click', function (event) {
  var button = event.target instanceof Element ? event.target.closest('[data-copy-target]') : null;
  if (!button) return;
  var source = document.getElementById(button.getAttribute('data-copy-target'));
  var status = button.parentElement ? button.parentElement.querySelector('[data-copy-status]') : null;
  if (!source) return;
  var say = function (text) { if (status) status.textContent = text; };
  if (!navigator.clipboard) { say('Copying is not available here; select the text and copy it.'); return; }
  navigator.clipboard.writeText(source.textContent || '').then(
    function () { say('Copied.'); },
    function () { say('Could not copy; select the text and copy it.'); }
  );
});
// The task picker's "N tasks selected" follows the ticks before they are saved: the saved count, plus the ticks added,
// less those taken off.
document.addEventListener('change', function (event) {
  var box = event.target;
  if (!(box instanceof HTMLInputElement) || !box.hasAttribute('data-saved') || !box.form) return;
  var count = box.form.querySelector('[data-selected-count]');
  if (!count) return;
  var n = Number(count.getAttribute('data-selected-count'));
  box.form.querySelectorAll('input[data-saved]').forEach(function (other) {
    var saved = other.getAttribute('data-saved') === 'true';
    if (other.checked && !saved) n += 1;
    if (!other.checked && saved) n -= 1;
  });
  count.querySelector('strong').textContent = String(n);
  count.querySelector('[data-noun]').textContent = n === 1 ? 'task' : 'tasks';
});
`;
