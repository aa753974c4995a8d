#!/usr/bin/env node
// Entry point of the end-to-end throughput benchmark (docs/performance.md, "End-to-end
// throughput"). The benchmark and the stack it drives (test/e2e/stack) are TypeScript with
// extensionless imports, which Node's own type stripping cannot load: they are transpiled in
// memory on require, as ts-jest does for the tests, so nothing is written and core/paths still
// finds the package root from each source file's real location. Run it through bench/e2e/run.sh.
'use strict';
const { readFileSync } = require('node:fs');
const path = require('node:path');
const ts = require(path.join(__dirname, '..', '..', 'node_modules', 'typescript'));

const compilerOptions = {
	module: ts.ModuleKind.CommonJS,
	target: ts.ScriptTarget.ES2022,
	esModuleInterop: true,
	resolveJsonModule: true,
	inlineSourceMap: true,
	useUnknownInCatchVariables: false,
};
require.extensions['.ts'] = function transpile(module, filename) {
	const source = readFileSync(filename, 'utf8');
	module._compile(ts.transpileModule(source, { fileName: filename, compilerOptions }).outputText, filename);
};

require('./e2e-bench.ts')
	.main(process.argv.slice(2))
	.then(
		(code) => process.exit(code ?? 0),
		(error) => {
			process.stderr.write(`bench:e2e failed: ${error && error.stack ? error.stack : error}\n`);
			process.exit(1);
		},
	);
