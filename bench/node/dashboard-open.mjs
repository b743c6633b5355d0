// Keeps one dashboard open on its overview, in the system's Chromium, driven by chromedriver's
// W3C WebDriver protocol (no npm package): signs in with HARRIER_KEY, waits for the first live
// counts event, prints "open", and stays until it gets SIGTERM; then prints how many counts events
// the page drew and closes the browser (bench/dashboard.sh).
const driver = process.env.CHROMEDRIVER_URL || "http://127.0.0.1:9515";
const ui = `${process.env.HARRIER_URL || "http://localhost:8080"}/ui/`;
const element = (value) => value["element-6066-11e4-a52e-4f735466cecf"]; // the W3C web element identifier

async function call(method, path, body) {
  const response = await fetch(driver + path, { method, headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body) });
  const reply = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${JSON.stringify(reply.value)}`);
  return reply.value;
}

const session = (await call("POST", "/session", { capabilities: { alwaysMatch: { browserName: "chrome", "goog:chromeOptions": {
  binary: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--window-size=1280,900"] } } } })).sessionId;
const at = `/session/${session}`;
const script = (source) => call("POST", `${at}/execute/sync`, { script: source, args: [] });
const until = async (source, what) => {
  for (let i = 0; i < 200; i++) {
    if (await script(source)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the dashboard did not show ${what}`);
};
const close = () => call("DELETE", at).catch(() => {});
try {
  await call("POST", `${at}/url`, { url: ui });
  await until("return !!document.getElementById('api-key')", "its sign-in form");
  const field = element(await call("POST", `${at}/element`, { using: "css selector", value: "#api-key" }));
  await call("POST", `${at}/element/${field}/value`, { text: process.env.HARRIER_KEY });
  const submit = element(await call("POST", `${at}/element`, { using: "css selector", value: "#sign-in button[type=submit]" }));
  await call("POST", `${at}/element/${submit}/click`, {});
  await until("const c = document.querySelector('[data-ticks]'); return !!c && Number(c.dataset.ticks) > 0", "a live counts event");
} catch (error) {
  await close();
  throw error;
}
console.log("open");
process.on("SIGTERM", async () => {
  const ticks = await script("const c = document.querySelector('[data-ticks]'); return c ? Number(c.dataset.ticks) : -1").catch(() => -1);
  console.log(`counts events drawn: ${ticks}`);
  await close();
  process.exit(0);
});
setInterval(() => {}, 1 << 30);
