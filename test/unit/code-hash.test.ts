import { normalizePython } from '../../domain/code-hash';

describe('normalised code keys', () => {
  it('ignore comments, blank lines and spacing, but not indentation or strings', () => {
    const a = 'class A(QCAlgorithm):\n    def initialize(self):  # set up\n\n        self.x = foo(1, 2)\n';
    const b = '# header\nclass A(QCAlgorithm):\n    def initialize(self):\n        self.x=foo(1,2)   \n';
    expect(normalizePython(a)).toBe(normalizePython(b));
    expect(normalizePython('x = "a # b"')).toBe('x="a # b"');
    expect(normalizePython('if a:\n    b()\nc()')).not.toBe(normalizePython('if a:\n    b()\n    c()'));
    expect(normalizePython('x = "a  b"')).not.toBe(normalizePython('x = "a b"'));
  });
});
