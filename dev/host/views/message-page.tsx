/** A short message in place of a page (not found, an error), inside the layout when there is a session. */
export function MessagePage({ title, message }: { title: string; message: string }) {
  return (
    <section>
      <h1>{title}</h1>
      <p>{message}</p>
      <p>
        <a href="/traces">Back to traces</a>
      </p>
    </section>
  );
}
