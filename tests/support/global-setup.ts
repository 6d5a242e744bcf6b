// Runs once before every project: the local test images the Docker tests need (no registry).
import { buildTestImages } from './docker.js';

export default function setup() {
  buildTestImages();
}
