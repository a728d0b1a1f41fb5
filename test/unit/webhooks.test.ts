/** Webhook pieces without a network: which feed events are sent, the bodies in each format, signatures, the backoff. */
import * as assert from 'node:assert/strict';
import type { FeedEvent } from '../../src/core/feed/feedEvent';
import { configProblem, webhookWithDefaults } from '../../src/core/config';
import { deliveryId } from '../../src/core/webhooks/webhookDeliverer';
import { WEBHOOK_EVENT_NAMES, webhookEventOf, wants } from '../../src/core/webhooks/webhookEvents';
import { deliveryBody, deliveryHeaders, signature, verifySignature } from '../../src/core/webhooks/webhookPayload';
import { displayUrl, retryDelay } from '../../src/core/webhooks/webhookQueue';

const feedEvent = (type: string, entity: unknown, key = 'x'): FeedEvent => ({ v: 1, seq: 7, ts: 1_700_000_000_000, type: type as FeedEvent['type'], key, entity, pid: 1 });

describe('webhooks', () => {
  it('send the events they name, a goal that ended ready or not ready as goal.ready / goal.not_ready', () => {
    assert.equal(webhookEventOf(feedEvent('agent.completed', {})), 'agent.completed');
    assert.equal(webhookEventOf(feedEvent('agent.started', {})), undefined);
    assert.equal(webhookEventOf(feedEvent('goal.ended', { status: 'ready' })), 'goal.ready');
    assert.equal(webhookEventOf(feedEvent('goal.ended', { status: 'not_ready' })), 'goal.not_ready');
    assert.equal(webhookEventOf(feedEvent('goal.ended', { status: 'cancelled' })), undefined);
    assert.deepEqual(WEBHOOK_EVENT_NAMES, ['task.completed', 'task.failed', 'agent.completed', 'agent.failed', 'agent.waiting', 'budget.warning', 'budget.exhausted', 'goal.ready', 'goal.not_ready', 'discovery.created']);
    const all = webhookWithDefaults({ url: 'http://127.0.0.1:1/h' });
    assert.deepEqual(all, { url: 'http://127.0.0.1:1/h', events: [], format: 'json' });
    assert.ok(wants(all, 'goal.ready') && !wants({ ...all, events: ['agent.failed'] }, 'goal.ready'));
  });

  it('are checked in config.json, naming what is wrong', () => {
    assert.equal(configProblem({ webhooks: [{ url: 'http://127.0.0.1:9/x', events: ['agent.failed'], secret: 's', format: 'slack' }] }), undefined);
    assert.match(configProblem({ webhooks: [{ url: 'ftp://x' }] })!, /webhooks.*url.*http:\/\/ or https:\/\//);
    assert.match(configProblem({ webhooks: [{ url: 'http://x', events: ['agent.started'] }] })!, /events.*must be one of task.completed/);
    assert.match(configProblem({ webhooks: [{ url: 'http://x', format: 'teams' }] })!, /format.*json, slack, discord/);
    assert.match(configProblem({ redaction: { patterns: [{ name: 'x', pattern: '(' }] } })!, /pattern.*not a regular expression/);
  });

  it('carry the event, its subject, a delivery id and a signature of timestamp and body', () => {
    const subject = { key: 'run:abc', entity: { id: 'abc', name: 'fix-tests', runner: 'claude', status: 'done' } };
    const id = deliveryId(7, 'http://127.0.0.1:1/h', 'agent.completed');
    assert.equal(id, deliveryId(7, 'http://127.0.0.1:1/h', 'agent.completed'), 'the same for every attempt and process');
    assert.notEqual(id, deliveryId(7, 'http://127.0.0.1:2/h', 'agent.completed'));
    const body = deliveryBody({ format: 'json' }, id, 'agent.completed', 1_700_000_000_000, subject, 7);
    assert.deepEqual(JSON.parse(body), { id, event: 'agent.completed', timestamp: '2023-11-14T22:13:20.000Z', seq: 7, summary: 'The run fix-tests (claude) is done', subject: { key: 'run:abc', ...subject.entity } });
    const headers = deliveryHeaders(id, 'agent.completed', 1_700_000_000_500, body, 'shh', '1.2.3');
    assert.equal(headers['x-switchboard-event'], 'agent.completed');
    assert.equal(headers['idempotency-key'], id);
    assert.equal(headers['x-switchboard-timestamp'], '1700000000');
    assert.equal(headers['x-switchboard-signature'], signature('shh', '1700000000', body));
    assert.match(headers['x-switchboard-signature']!, /^sha256=[0-9a-f]{64}$/);
    assert.ok(verifySignature('shh', '1700000000', body, headers['x-switchboard-signature']));
    assert.ok(!verifySignature('shh', '1700000001', body, headers['x-switchboard-signature']), 'another time does not verify');
    assert.ok(!verifySignature('other', '1700000000', body, headers['x-switchboard-signature']));
    assert.equal(deliveryHeaders(id, 'agent.completed', 0, body, undefined, '1')['x-switchboard-signature'], undefined, 'unsigned without a secret');
  });

  it('send Slack and Discord a message they render', () => {
    const subject = { key: 'goal:g1', entity: { id: 'g1', goal: 'Add <OAuth>', status: 'ready' } };
    const slack = JSON.parse(deliveryBody({ format: 'slack' }, 'd', 'goal.ready', 0, subject));
    assert.equal(slack.text, 'Switchboard · The goal g1 "Add <OAuth>" is ready');
    assert.equal(slack.blocks[0].text.text, '*Switchboard* · `goal.ready`\nThe goal g1 "Add &lt;OAuth&gt;" is ready');
    const discord = JSON.parse(deliveryBody({ format: 'discord' }, 'd', 'goal.ready', 0, subject));
    assert.equal(discord.content, '**Switchboard** · `goal.ready`\nThe goal g1 "Add <OAuth>" is ready');
    assert.deepEqual(discord.allowed_mentions, { parse: [] });
  });

  it('are tried again after a doubling, jittered wait, and log an address without its secrets', () => {
    assert.deepEqual([1, 2, 3, 4].map((n) => retryDelay(n, 1000, 1)), [1000, 2000, 4000, 8000]);
    assert.deepEqual([1, 2, 3].map((n) => retryDelay(n, 1000, 0)), [500, 1000, 2000]);
    assert.equal(retryDelay(30, 1000, 1), 600_000, 'at most ten minutes');
    assert.equal(displayUrl('https://user:pw@hooks.slack.com/services/T0/B0/XXXXXXXX?x=1'), '<<REDACTED_SLACK_WEBHOOK_1>>');
    assert.equal(displayUrl('https://user:pw@example.com/hook?token=abc'), 'https://example.com/hook');
  });
});
