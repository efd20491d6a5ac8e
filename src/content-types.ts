// The one table of the file types bulletin serves (editions, their images, the preview's files).
// A Map: the key comes from a URL, and must never find anything an object inherits.

const CONTENT_TYPES = new Map([
  ['.html', 'text/html; charset=utf-8'],
  ['.pdf', 'application/pdf'],
  ['.png', 'image/png'],
  ['.jpg', 'image/jpeg'],
  ['.jpeg', 'image/jpeg'],
  ['.gif', 'image/gif'],
  ['.svg', 'image/svg+xml'],
  ['.webp', 'image/webp'],
  ['.css', 'text/css; charset=utf-8'],
]);

/** The Content-Type for a file extension (`.png`), if bulletin serves that kind of file. */
export function contentTypeOf(extension: string): string | undefined {
  return CONTENT_TYPES.get(extension.toLowerCase());
}

/** Whether an extension is an image's. */
export function isImage(extension: string): boolean {
  return contentTypeOf(extension)?.startsWith('image/') ?? false;
}
