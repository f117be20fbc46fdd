export { checkPythonSyntax, parsesAsPython } from './syntax';
export { closePythonHelpers } from './cpython';
export type { PythonParserName, PythonSyntaxOptions, PythonSyntaxResult } from './syntax';
export { lintPython, PYTHON_SYNTAX_RULE } from './lint';
export type { PythonLintReport } from './lint';
export { loadPythonParser } from './tree-sitter';
