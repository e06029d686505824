// CSS files are bundled by esbuild into dashboard.css.
declare module '*.css';
