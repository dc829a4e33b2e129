/** The JSON Schema of the export bundle as committed in docs/ (shared by the unit and e2e tests). */
import { z } from 'zod';
import { ExportBundleSchema } from '../../../src/export/bundle-schema';

/** `z.toJSONSchema(ExportBundleSchema)` with a title and `$id` for the committed file. */
export function exportBundleJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(ExportBundleSchema),
    $id: 'https://softphone-guard.invalid/export-bundle.schema.json',
    title: 'Softphone Guard export bundle, version 2 (docs/export-bundle.md)',
  };
}
