// The Barnum companion server as one Vercel Function: vercel.json rewrites every path here, and
// the handler routes it (action pages, /api/webhook, /api/internal, the booking receiver, health).
// Configured by the project's environment variables: docs/deploy-vercel-supabase.md.
module.exports = require('barnum-server/dist/server/vercel/handler.js').default;
