/** The core's lifecycle (what is registered is disposed newest first, once; asynchronous releases awaited in turn) and its event emitter (a listener's error is logged, never swallowed). */
import * as assert from 'node:assert/strict';
import { Emitter } from '../../src/core/events';
import { AsyncLifecycle, DisposableStore, Lifecycle, RenewableStore, toAsyncDisposable, toDisposable } from '../../src/core/lifecycle';

const tick = (ms = 5): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('lifecycle', () => {
  it('disposes what was registered newest first, once; what comes after is disposed at once', () => {
    const order: string[] = [];
    const store = new DisposableStore();
    for (const name of ['a', 'b', 'c']) store.add(toDisposable(() => order.push(name)));
    store.dispose();
    store.dispose();
    assert.deepEqual(order, ['c', 'b', 'a']);
    assert.equal(store.isDisposed, true);
    store.add(toDisposable(() => order.push('late')));
    assert.deepEqual(order, ['c', 'b', 'a', 'late']);
  });

  it('goes on past an item that throws, and throws after: the error, or all of them together', () => {
    const order: string[] = [];
    const one = new DisposableStore();
    one.add(toDisposable(() => order.push('first')));
    one.add(toDisposable(() => {
      throw new Error('broken');
    }));
    one.add(toDisposable(() => order.push('last')));
    assert.throws(() => one.dispose(), /^Error: broken$/);
    assert.deepEqual(order, ['last', 'first']);
    const two = new DisposableStore();
    for (const n of [1, 2]) two.add(toDisposable(() => {
      throw new Error(`broken ${n}`);
    }));
    assert.throws(() => two.dispose(), (error: AggregateError) => error instanceof AggregateError && error.errors.map((e: Error) => e.message).join() === 'broken 2,broken 1');
  });

  it('awaits each asynchronous release before the next, newest first, once', async () => {
    const order: string[] = [];
    const store = new DisposableStore();
    const slow = (name: string, ms: number) => toAsyncDisposable(async () => {
      order.push(`${name} starts`);
      await tick(ms);
      order.push(`${name} ends`);
    });
    store.add(slow('server', 1));
    store.add(toDisposable(() => order.push('timer')));
    store.add(slow('transport', 20));
    const first = store.disposeAsync();
    assert.equal(store.disposeAsync(), first, 'the same promise');
    assert.equal(store.isDisposed, true);
    await first;
    assert.deepEqual(order, ['transport starts', 'transport ends', 'timer', 'server starts', 'server ends']);
    store.dispose();
    await store.disposeAsync();
    assert.equal(order.length, 5, 'nothing twice');
  });

  it('releases all of them when some fail, and rejects after with the failures', async () => {
    const released: string[] = [];
    const store = new DisposableStore();
    store.add(toAsyncDisposable(async () => void released.push('a')));
    store.add(toAsyncDisposable(async () => {
      throw new Error('cannot close');
    }));
    store.add(toDisposable(() => {
      throw new Error('cannot clear');
    }));
    store.add(toAsyncDisposable(async () => void released.push('d')));
    await assert.rejects(store.disposeAsync(), (error: AggregateError) => error.errors.map((e: Error) => e.message).join() === 'cannot clear,cannot close');
    assert.deepEqual(released, ['d', 'a']);
  });

  it('disposed without waiting, starts the asynchronous releases and logs a failure; disposeAsync then waits for them', async () => {
    const logged: string[] = [];
    const store = new DisposableStore({ error: (m) => logged.push(m) });
    let closed = false;
    store.add(toAsyncDisposable(async () => {
      await tick();
      closed = true;
    }));
    store.add(toAsyncDisposable(() => Promise.reject(new Error('socket gone'))));
    store.dispose();
    assert.equal(closed, false);
    await store.disposeAsync();
    assert.equal(closed, true);
    assert.equal(logged.length, 1);
    assert.match(logged[0]!, /an asynchronous release failed: Error: socket gone/);
  });

  it('a Lifecycle disposes once; an AsyncLifecycle is waited for', async () => {
    const order: string[] = [];
    class Owner extends Lifecycle {
      constructor() {
        super();
        this.register(toDisposable(() => order.push('listener')));
        this.register(toDisposable(() => order.push(`timer (disposed: ${this.isDisposed})`)));
      }
    }
    const owner = new Owner();
    owner.dispose();
    owner.dispose();
    assert.deepEqual(order.splice(0), ['timer (disposed: true)', 'listener']);
    class Server extends AsyncLifecycle {
      constructor() {
        super();
        this.register(new Owner());
        this.register(toAsyncDisposable(async () => {
          await tick();
          order.push('closed');
        }));
      }
    }
    const server = new Server();
    await server.dispose();
    assert.deepEqual(order, ['closed', 'timer (disposed: true)', 'listener']);
    await server.dispose();
    assert.equal(order.length, 3);
  });

  it('a RenewableStore disposes the set it held at each renewal, and what is added once it is disposed at once', () => {
    const order: string[] = [];
    const following = new RenewableStore();
    following.renew().add(toDisposable(() => order.push('old switchboard')));
    following.renew().add(toDisposable(() => order.push('new switchboard')));
    assert.deepEqual(order, ['old switchboard']);
    following.dispose();
    assert.deepEqual(order, ['old switchboard', 'new switchboard']);
    following.renew().add(toDisposable(() => order.push('too late')));
    assert.deepEqual(order, ['old switchboard', 'new switchboard', 'too late']);
  });
});

describe('emitter', () => {
  it('logs a listener that throws, and still calls the others', () => {
    const logged: string[] = [];
    const emitter = new Emitter<number>({ error: (m) => logged.push(m) });
    const seen: number[] = [];
    emitter.event(() => {
      throw new Error('boom');
    });
    emitter.event((value) => seen.push(value));
    emitter.fire(1);
    emitter.fire(2);
    assert.deepEqual(seen, [1, 2]);
    assert.equal(logged.length, 2);
    assert.match(logged[0]!, /a listener failed: Error: boom/);
  });

  it('stops calling a listener once its subscription is disposed, and all of them once it is', () => {
    const emitter = new Emitter<string>({ error: () => assert.fail('nothing throws') });
    const seen: string[] = [];
    const first = emitter.event((v) => seen.push(`1:${v}`));
    emitter.event((v) => seen.push(`2:${v}`));
    emitter.fire('a');
    first.dispose();
    emitter.fire('b');
    emitter.dispose();
    emitter.fire('c');
    assert.deepEqual(seen, ['1:a', '2:a', '2:b']);
  });
});
