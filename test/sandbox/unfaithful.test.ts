import { checkPythonSyntax, closePythonHelpers } from '../../python';
import { carriesPlantedMistake, plantUnfaithfulness, repairNamedItems } from '../../sandbox/llm/unfaithful';
import { planParameters, renderAlgorithm } from '../../sandbox/llm/templates';
import { STRATEGY_FAMILIES } from '../../domain/strategy';

afterAll(() => closePythonHelpers());

function algorithm(family: (typeof STRATEGY_FAMILIES)[number]) {
  const parameters = planParameters(family, {});
  const code = renderAlgorithm({ family, title: `Paper on ${family}`, parameters, extraParameters: [], tickers: [], resolution: 'daily', rules: { entry: 2, exit: 1, risk: 1 } });
  return { code, asked: { parameters: Object.entries(parameters).map(([name, value]) => ({ name, value })) } };
}

describe('the sandbox model departing from its specification', () => {
  it('marks every rule it was asked for, and plants nothing at rate 0', () => {
    const { code, asked } = algorithm('pairs');
    expect(code).toContain('# rule: entry[1] entry[2]');
    expect(code).toContain('# rule: exit[1] risk[1]');
    expect(plantUnfaithfulness(code, 'any-request', 0, asked)).toEqual({ code, planted: [] });
  });

  it('plants one or two departures that still parse, in every family, and a named repair undoes them', async () => {
    let planted = 0;
    for (const family of STRATEGY_FAMILIES) {
      const { code, asked } = algorithm(family);
      for (const request of ['r1', 'r2', 'r3', 'r4']) {
        const out = plantUnfaithfulness(code, `${family}-${request}`, 1, asked);
        expect(out.planted.length).toBeGreaterThanOrEqual(1);
        expect(out.planted.length).toBeLessThanOrEqual(2);
        expect(out.code).not.toBe(code);
        expect((await checkPythonSyntax(out.code)).ok).toBe(true);
        expect(carriesPlantedMistake(out.code, out.planted)).toBe(true);
        planted += out.planted.length;
        // a finding in any wording that quotes the item and gives the value first
        const request2 = out.planted
          .map((p) => (p.item.startsWith('parameter ') ? `- \`${p.item.slice(10)}\` should be ${p.specValue} as in the paper, not what the code has` : `- rule ${p.item} lost its marker`))
          .join('\n');
        const repaired = repairNamedItems(out.code, request2);
        expect(repaired.repaired).toBe(out.planted.length);
        expect(carriesPlantedMistake(repaired.code, out.planted)).toBe(false);
        expect((await checkPythonSyntax(repaired.code)).ok).toBe(true);
      }
    }
    expect(planted).toBeGreaterThan(STRATEGY_FAMILIES.length * 4);
  });

  it('changes nothing for a repair request that names no item, whatever else it says', () => {
    const { code, asked } = algorithm('momentum');
    const out = plantUnfaithfulness(code, 'momentum-r1', 1, asked);
    const vague = 'faithfulness error: The algorithm does not implement its specification: 2 items to fix.\nPlease make it faithful.';
    expect(repairNamedItems(out.code, vague)).toEqual({ code: out.code, repaired: 0 });
  });
});
