/** n8n for the end-to-end tests: the local stack's own modules (stack/n8n/). */
export { installN8n, installPackage, nodeBin, packBarnum } from '../../../stack/n8n/install';
export { prepareN8n, type N8n, type N8nOptions } from '../../../stack/n8n/process';
export { N8nRest, type N8nExecution, type N8nOwner } from '../../../stack/n8n/rest';
