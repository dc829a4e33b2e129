/**
 * The popup renders at once however large the event store is: it reads only the sessions'
 * state, never the event log.
 */
import { expect, test } from './support/fixture';
import { openAgent, openPopup } from './support/softphone';
import { presence429s, seedStore } from './support/event-store';

const EVENTS = 100_000;

test('popup shows the agent card with 100,000 events stored', async ({ lab, context, worker }) => {
  await openAgent(context, lab, 'agent-1');
  // Fill the extension's own event store the way a long week would.
  await seedStore(worker, 'events', presence429s(EVENTS));

  const popup = await openPopup(context);
  await expect(popup.getByText('Alex Rivera')).toBeVisible();
  await expect(popup.getByText(/100,\d{3}|10\d,\d{3}|10\d\d\d\d/)).toBeVisible();
});
