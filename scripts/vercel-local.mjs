#!/usr/bin/env node
// Serves a Vercel Function's file on loopback the way Vercel's Node.js launcher calls it, to try
// the companion server's function (deploy/vercel/api/barnum.js) without deploying it; the tests
// and bench/vercel-cold-start.mjs load it through here too. Built from the launcher's public source
// (github.com/vercel/vercel, packages/node): it imports the file, takes the default export
// (unwrapping nested `default`s, as TypeScript-compiled modules have them), and calls it with
// node:http's request and response. Unless NODEJS_HELPERS=0, it first adds Vercel's helpers as
// Vercel does: the body is read before the function runs and replayed to 'data'/'end' listeners,
// req.body/query/cookies become parsed properties, res gets status/json/send.
//
//   node scripts/vercel-local.mjs deploy/vercel/api/barnum.js [--port 3000]
//
// Prints one JSON line when it listens: {"url": …, "importMs": …} (importMs: from the process's
// start until the function's module was loaded).
import { createServer } from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse as parseQuery } from 'node:querystring';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values: flags, positionals } = parseArgs({ options: { port: { type: 'string', default: '0' } }, allowPositionals: true });
if (positionals.length !== 1) {
	process.stderr.write('usage: node scripts/vercel-local.mjs <function file> [--port N]\n');
	process.exit(2);
}

let listener = await import(pathToFileURL(path.resolve(positionals[0])).href);
for (let i = 0; i < 5 && listener.default; i++) listener = listener.default;
const importMs = performance.now();
if (typeof listener !== 'function') throw new Error(`${positionals[0]} does not export a function`);
const helpers = process.env.NODEJS_HELPERS !== '0';

function lazy(object, name, compute) {
	Object.defineProperty(object, name, {
		configurable: true,
		enumerable: true,
		get() {
			const value = compute();
			Object.defineProperty(object, name, { configurable: true, enumerable: true, writable: true, value });
			return value;
		},
		set(value) {
			Object.defineProperty(object, name, { configurable: true, enumerable: true, writable: true, value });
		},
	});
}

function parseBody(body, contentType) {
	const type = (contentType ?? 'text/plain').split(';')[0].trim().toLowerCase();
	if (type === 'application/json') {
		const text = body.toString();
		try {
			return text ? JSON.parse(text) : {};
		} catch {
			throw Object.assign(new Error('Invalid JSON'), { statusCode: 400 });
		}
	}
	if (type === 'application/octet-stream') return body;
	if (type === 'application/x-www-form-urlencoded') return parseQuery(body.toString());
	if (type === 'text/plain') return body.toString();
	return undefined;
}

async function addHelpers(req, res) {
	lazy(req, 'query', () => Object.fromEntries(new URL(req.url ?? '/', 'http://localhost').searchParams));
	lazy(req, 'cookies', () => ({}));
	const contentType = req.headers['content-type'];
	let body = Buffer.alloc(0);
	if (contentType !== undefined) {
		const chunks = [];
		for await (const chunk of req) chunks.push(chunk);
		body = Buffer.concat(chunks);
		// Vercel's restoreBody: later 'data'/'end' listeners and read() get the bytes again.
		const replay = new PassThrough();
		const on = replay.on.bind(replay);
		const originalOn = req.on.bind(req);
		req.read = replay.read.bind(replay);
		req.on = req.addListener = (name, callback) => (name === 'data' || name === 'end' ? on(name, callback) : originalOn(name, callback));
		replay.end(body);
	}
	lazy(req, 'body', () => parseBody(body, contentType));
	res.status = (code) => {
		res.statusCode = code;
		return res;
	};
	res.send = (value) => {
		if (typeof value === 'object' && value !== null && !Buffer.isBuffer(value)) return res.json(value);
		res.end(value);
		return res;
	};
	res.json = (value) => {
		if (!res.getHeader('content-type')) res.setHeader('content-type', 'application/json; charset=utf-8');
		res.end(JSON.stringify(value));
		return res;
	};
}

const server = createServer(async (req, res) => {
	if (helpers) await addHelpers(req, res);
	listener(req, res);
});
server.listen(Number(flags.port), '127.0.0.1', () => {
	const { port } = server.address();
	process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, importMs: Math.round(importMs * 10) / 10, helpers })}\n`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
