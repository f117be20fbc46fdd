import { backtestSlots } from '../../workflows/evaluate';

/** Lets every pending promise continuation run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('backtest slots', () => {
  it('hand out `size` slots at once, then one per release, to the longest waiter first', async () => {
    const slots = backtestSlots(2);
    const got: string[] = [];
    const take = (name: string) => slots.acquire().then(() => void got.push(name));
    void take('a');
    void take('b');
    void take('c');
    void take('d');
    await settle();
    expect(got).toEqual(['a', 'b']);
    slots.release();
    await settle();
    // one release, one waiter served: no waiting for the other slot (not a batch of two)
    expect(got).toEqual(['a', 'b', 'c']);
    slots.release();
    await settle();
    expect(got).toEqual(['a', 'b', 'c', 'd']);
  });

  it('keep a released slot for the next taker when nobody waits', async () => {
    const slots = backtestSlots(1);
    await slots.acquire();
    slots.release();
    let taken = false;
    void slots.acquire().then(() => (taken = true));
    await settle();
    expect(taken).toBe(true);
    let second = false;
    void slots.acquire().then(() => (second = true));
    await settle();
    expect(second).toBe(false);
  });
});
