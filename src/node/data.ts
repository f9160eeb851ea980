/** Node data adapters: read WFDB records, annotations and the MIT-BIH beat dataset from disk. */
export { readWfdbHeader, readWfdbRecord, readAnnotations, readWaveAnnotations } from './data-wfdb.js';
export { loadMitbihBeats, type MitbihLoadOptions } from './data-mitbih.js';
export { readPngFile, readNrrdFile, readNiftiFile } from './data-image.js';
