// How this project launches Debian's Chromium headless (tests and benchmarks). The background-networking flags keep
// it from dialling out, which this machine's closed network refuses; the browser download of test tools is never used.
export const chromiumPath = process.env.CHROME_PATH || '/usr/bin/chromium';
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];
