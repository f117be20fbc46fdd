export { checkPythonSyntax, closePythonSyntaxCheckers, parsesAsPython } from './syntax';
export type { PythonParserName, PythonSyntaxOptions, PythonSyntaxResult } from './syntax';
export { lintPython, PYTHON_SYNTAX_RULE } from './lint';
export type { PythonLintReport } from './lint';
