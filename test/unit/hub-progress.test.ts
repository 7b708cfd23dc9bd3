// Download progress throttling, speed and ETA, on a fake clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressMeter, type DownloadProgress } from '../../electron/hub/progress.ts';

function meter(total: number | null): { m: ProgressMeter; events: DownloadProgress[]; clock: { t: number } } {
  const events: DownloadProgress[] = [];
  const clock = { t: 1000 };
  return { m: new ProgressMeter('a/b.bin', total, (p) => events.push(p), () => clock.t), events, clock };
}

test('emits at most one event per 100 ms, plus forced start and end events', () => {
  const { m, events, clock } = meter(10_000);
  m.update(0, true);
  for (let i = 1; i <= 100; i++) {
    clock.t += 10; // 1 s in all
    m.update(i * 100);
  }
  m.update(10_000, true); // the last regular event already said 10 000: no duplicate
  assert.deepEqual(
    events.map((e) => e.bytes),
    [0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10_000],
  );
  assert.equal(events[5].bytesPerSecond, 10_000);
  assert.equal(events[5].etaSeconds, 0.5);
  assert.equal(events.at(-1)!.etaSeconds, 0);
  assert.equal(events[0].file, 'a/b.bin');
  assert.equal(events[0].total, 10_000);
});

test('the speed follows the last ~5 s; no total means no ETA', () => {
  const { m, events, clock } = meter(null);
  let bytes = 0;
  m.update(bytes, true);
  for (let s = 0; s < 10; s++) {
    clock.t += 1000;
    m.update((bytes += 100_000)); // 100 kB/s for 10 s
  }
  assert.equal(events.at(-1)!.bytesPerSecond, 100_000);
  for (let s = 0; s < 6; s++) {
    clock.t += 1000;
    m.update((bytes += 1_000_000)); // then 1 MB/s
  }
  assert.equal(events.at(-1)!.bytesPerSecond, 1_000_000);
  assert.ok(events.every((e) => e.etaSeconds === null && e.total === null));
});

test('a resumed download starts at its offset and measures only new bytes', () => {
  const { m, events, clock } = meter(2000);
  m.update(1000, true);
  clock.t += 500;
  m.update(1500);
  assert.equal(events[0].bytesPerSecond, 0);
  assert.equal(events[0].etaSeconds, null);
  assert.equal(events[1].bytesPerSecond, 1000);
  assert.equal(events[1].etaSeconds, 0.5);
});

test('without a callback it does nothing', () => {
  const m = new ProgressMeter('x', 1, undefined);
  m.update(1, true);
});
