/** FirstRows: the work the Agents view's first rows do not need waits for them, then runs one task per turn. */
import * as assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { silentLogger } from '../../src/core/logger';
import { FirstRows } from '../../src/vscode/firstRows';

/** A view whose first rows are handed to VS Code when `list()` is called, shown or not as `visible` says. */
function fakeView(visible: boolean) {
  let list!: () => void;
  const listed = new Promise<void>((resolve) => (list = resolve));
  const events = new EventEmitter();
  const view = {
    visible,
    onDidChangeVisibility: (listener: (e: { visible: boolean }) => void) => {
      events.on('change', listener);
      return { dispose: () => events.off('change', listener) };
    },
  };
  const setVisible = (shown: boolean): void => {
    view.visible = shown;
    events.emit('change', { visible: shown });
  };
  return { source: { listed, view }, list, setVisible };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('FirstRows', () => {
  const made: FirstRows[] = [];
  const make = (...args: ConstructorParameters<typeof FirstRows>): FirstRows => {
    const rows = new FirstRows(...args);
    made.push(rows);
    return rows;
  };
  afterEach(() => made.splice(0).forEach((rows) => rows.dispose()));

  it('runs nothing before the first rows, then each task in a turn of its own after the answer has gone out', async () => {
    const { source, list } = fakeView(true);
    const rows = make(source, 10_000);
    const ran: string[] = [];
    rows.run(() => ran.push('a'));
    rows.run(() => ran.push('b'));
    await sleep(30);
    assert.equal(ran.length, 0);
    list();
    // The extension host writes its answer on a timer of its own: it comes before the work.
    setTimeout(() => ran.push('answer'), 0);
    await rows.whenReady();
    assert.deepEqual(ran, ['answer', 'a', 'b']);
    // Between two tasks, what else waits (a request from the workbench) gets its turn.
    const between: string[] = [];
    rows.run(() => {
      between.push('c');
      setImmediate(() => between.push('request'));
    });
    rows.run(() => between.push('d'));
    await rows.whenReady();
    assert.deepEqual(between, ['c', 'request', 'd']);
  });

  it('does not wait past its patience for a view that is hidden (it is not asked for rows)', async () => {
    const { source } = fakeView(false);
    const rows = make(source, 20);
    const started = Date.now();
    await rows.whenReady();
    assert.ok(Date.now() - started < 1000);
  });

  it('waits past its patience while the view says it is shown, until its rows are asked for or it is hidden', async () => {
    const shown = fakeView(true);
    let ready = false;
    void make(shown.source, 20).whenReady().then(() => (ready = true));
    await sleep(120);
    assert.equal(ready, false);
    shown.list();
    await sleep(120);
    assert.equal(ready, true);

    const hidden = fakeView(true);
    let readyHidden = false;
    void make(hidden.source, 20).whenReady().then(() => (readyHidden = true));
    await sleep(60);
    assert.equal(readyHidden, false);
    hidden.setVisible(false);
    await sleep(30);
    assert.equal(readyHidden, true);
  });

  it('logs a task that throws, and runs the next ones', async () => {
    const { source, list } = fakeView(true);
    const errors: string[] = [];
    const rows = make(source, 10_000, { ...silentLogger, error: (m) => errors.push(m) });
    const ran: string[] = [];
    rows.run(() => {
      throw new Error('the listener could not start');
    });
    rows.run(() => ran.push('next'));
    list();
    await rows.whenReady();
    assert.deepEqual(ran, ['next']);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /the listener could not start/);
  });

  it('drops what has not run when disposed', async () => {
    const { source, list } = fakeView(true);
    const rows = make(source, 10_000);
    let ran = false;
    rows.run(() => (ran = true));
    rows.dispose();
    list();
    await sleep(120);
    assert.equal(ran, false);
  });
});
