import { createHash } from 'node:crypto';

/**
 * The pages' only stylesheet, inline so there is no external asset to fetch. The CSP allows this
 * exact text by its hash, and nothing else: no scripts at all.
 */
export const STYLES = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;min-height:100vh;display:flex;align-items:flex-start;justify-content:center;background:#f3f5f4;color:#1f2933;font:17px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{width:100%;max-width:30rem;margin:1rem;padding:1.5rem;background:#fff;border-radius:1rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
.icon{width:4rem;height:4rem;margin:0 auto 1rem;display:block}
h1{font-size:1.45rem;line-height:1.25;margin:0 0 .5rem;text-align:center}
p{margin:.5rem 0}
.lead{text-align:center}
h2{font-size:.85rem;font-weight:700;letter-spacing:.04em;text-transform:uppercase;color:#4b5563;margin:1.25rem 0 .4rem}
h2+dl{margin-top:0}
dl{margin:1.25rem 0;padding:1rem;background:#f3f5f4;border-radius:.75rem}
dt{font-size:.85rem;color:#4b5563;margin-top:.5rem}
dt:first-child{margin-top:0}
dd{margin:0;font-weight:600}
label{display:block;font-weight:600;margin:1rem 0 0}
textarea,input{width:100%;min-height:4.5rem;padding:.6rem;border:2px solid #6b7280;border-radius:.5rem;font:inherit}
textarea:focus,input:focus,button:focus{outline:3px solid #f59e0b;outline-offset:2px}
.hint{font-size:.85rem;color:#4b5563;margin:.25rem 0 .4rem}
.after{font-size:.85rem;color:#4b5563;text-align:center;margin-top:.6rem}
button{display:block;width:100%;margin-top:1.25rem;padding:.95rem 1rem;border:0;border-radius:.75rem;font:inherit;font-weight:700;color:#fff;background:#0b6e4f;cursor:pointer}
button.danger{background:#b3261e}
button.neutral{background:#1d4ed8}
.notice{padding:.75rem;border-radius:.5rem;background:#fef3c7;color:#78350f}
footer{margin-top:1.5rem;text-align:center;font-size:.85rem;color:#4b5563}
`.trim();

export const STYLES_HASH = `'sha256-${createHash('sha256').update(STYLES).digest('base64')}'`;
