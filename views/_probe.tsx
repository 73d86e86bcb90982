export const Probe = () => (
  <div hx-get="/x" hx-target:inherited="#y" {...{ 'hx-status:422': 'target:#f' }} aria-live="polite" data-x={1} hx-confirm={'a "q" <b>'}>
    <svg viewBox="0 0 10 10" role="img" aria-label="x"><title>t</title><rect x={0} y={0} width={5} height={2} /></svg>
    <input type="checkbox" checked={false} /><input type="checkbox" checked />
    {'<script>alert(1)</script>'}
  </div>
);
const html = (<Probe />).toString();
console.log(html);
