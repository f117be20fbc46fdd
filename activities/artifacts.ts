/** The content-addressed artifact store; it lives in store/ because the CLI also puts users' PDFs into it. */
export { ArtifactStore, sha256Hex } from '../store/artifacts';
