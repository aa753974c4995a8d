import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { contractsDir } from '../paths';
import { contractProblems } from './contract-problems';
import type { CoreLogger } from './types';

/**
 * Which appointment contract to install (docs/database.md, "The appointment contract"):
 * 'builtin' (Barnum's own clinic tables), 'seed' (a database built as the seed document
 * describes, upgraded in place), or the path of a DBA's own file.
 */
export type ContractChoice = string;

export const SHIPPED_CONTRACTS = ['builtin', 'seed'] as const;

export class ContractError extends Error {
	override name = 'ContractError';
}

interface ContractSource {
	name: string;
	text: string;
	md5: string;
}

function load(choice: ContractChoice): ContractSource {
	const shipped = (SHIPPED_CONTRACTS as readonly string[]).includes(choice);
	const file = shipped ? path.join(contractsDir(), `${choice}.sql`) : path.resolve(choice);
	if (!existsSync(file)) {
		throw new ContractError(
			`No contract "${choice}": give builtin, seed, or the path of a contract file of your own (docs/database.md)`,
		);
	}
	const text = readFileSync(file, 'utf8');
	return { name: shipped ? choice : file, text, md5: createHash('md5').update(text).digest('hex') };
}

/**
 * What to install when nobody chose: the contract already installed (again, when it is a shipped
 * one whose text changed with this Barnum), else the seed's when the database has the seed's
 * outbox, else the built-in tables.
 */
async function decide(client: pg.ClientBase, choice: ContractChoice | undefined, logger: CoreLogger): Promise<ContractSource | undefined> {
	const installed = (await client.query<{ name: string; md5: string }>('SELECT name, md5 FROM barnum.contract')).rows[0];
	if (choice !== undefined) {
		const source = load(choice);
		return installed?.md5 === source.md5 ? undefined : source;
	}
	if (installed) {
		if (!(SHIPPED_CONTRACTS as readonly string[]).includes(installed.name)) return undefined;
		const source = load(installed.name);
		return installed.md5 === source.md5 ? undefined : source;
	}
	const seed = await client.query<{ found: boolean }>(
		"SELECT (SELECT relkind FROM pg_class WHERE oid = to_regclass('public.whatsapp_events')) = 'r' AND to_regclass('public.appointments') IS NOT NULL AS found",
	);
	const name = seed.rows[0]?.found ? 'seed' : 'builtin';
	logger.info({ contract: name }, name === 'seed' ? "the seed's tables found: upgrading them in place" : 'no contract yet: installing the built-in clinic tables');
	return load(name);
}

/**
 * Installs the appointment contract inside the caller's transaction (barnum migrate's), then
 * checks it: any problem fails the whole migration, with every problem named.
 */
export async function installContract(
	client: pg.ClientBase,
	choice: ContractChoice | undefined,
	logger: CoreLogger,
): Promise<string | undefined> {
	const source = await decide(client, choice, logger);
	if (source) {
		try {
			await client.query('SET LOCAL search_path = barnum');
			await client.query(source.text);
		} catch (error) {
			// The caller's transaction rolls back: the database is as it was.
			throw notInstalled(source.name, error);
		}
		await client.query(
			`INSERT INTO barnum.contract (name, md5) VALUES ($1, $2)
			 ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, md5 = EXCLUDED.md5, installed_at = now()`,
			[source.name, source.md5],
		);
		logger.info({ contract: source.name }, 'appointment contract installed');
	}
	const problems = await contractProblems(client);
	if (problems.length > 0) {
		throw new ContractError(`The appointment contract does not hold:\n  - ${problems.join('\n  - ')}`);
	}
	return source?.name;
}

function notInstalled(name: string, error: unknown): ContractError {
	const message = error instanceof Error ? error.message : String(error);
	const hint = /cannot (change|drop) (data type|name) of view column|cannot drop columns from view/.test(message)
		? '. A contract view must have exactly the columns, names, order and types of docs/database.md (cast where needed, e.g. status::text)'
		: '';
	return new ContractError(`The contract ${name} could not be installed: ${message}${hint}`);
}
