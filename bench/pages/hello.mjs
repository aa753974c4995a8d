// The baseline: a bare Express 5 "hello" (the project's own express), nothing else.
//   node bench/pages/hello.mjs <port>
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(path.resolve(import.meta.dirname, '../../package.json'));
const express = require('express');

const app = express();
app.get('/', (_req, res) => {
	res.send('Hello World!');
});
const server = app.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
	process.stdout.write(`listening ${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
