export function App() {
  return (
    <main>
      <h1>Hopscope</h1>
      <p>The Redirects panel is being built.</p>
    </main>
  );
}
