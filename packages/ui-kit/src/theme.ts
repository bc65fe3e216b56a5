import bold from '@sap-theming/theming-base-content/content/Base/baseLib/baseTheme/fonts/72-Bold.woff2';
import regular from '@sap-theming/theming-base-content/content/Base/baseLib/baseTheme/fonts/72-Regular.woff2';
import semibold from '@sap-theming/theming-base-content/content/Base/baseLib/baseTheme/fonts/72-Semibold.woff2';
import { setDefaultFontLoading } from '@ui5/webcomponents-base/dist/config/Fonts.js';
import { setTheme } from '@ui5/webcomponents-base/dist/config/Theme.js';
import '@ui5/webcomponents-theming/dist/generated/json-imports/Themes.js';
import '@ui5/webcomponents/dist/generated/json-imports/Themes.js';
import '@ui5/webcomponents-fiori/dist/generated/json-imports/Themes.js';

// UI5 would load its "72" fonts from a public CDN, which air-gapped installations cannot reach:
// the fonts ship with the app instead, and UI5's own font loading is off.
setDefaultFontLoading(false);

let fontsAdded = false;
function addFonts(): void {
  if (fontsAdded || typeof document === 'undefined') return;
  fontsAdded = true;
  const faces = [
    ['72', regular, '400'],
    ['72', semibold, '600'],
    ['72', bold, '700'],
    ['72-Bold', bold, '400'],
    ['72-Semibold', semibold, '400'],
  ] as const;
  for (const [family, url, weight] of faces) {
    document.fonts.add(new FontFace(family, `url(${url}) format('woff2')`, { weight, display: 'swap' }));
  }
}

export const UI5_THEMES = { light: 'sap_horizon', dark: 'sap_horizon_dark' } as const;

/** Applies the host's theme to every UI5 element on the page, live. */
export async function applyTheme(theme: 'light' | 'dark'): Promise<void> {
  addFonts();
  document.documentElement.dataset.openkcmTheme = theme;
  // The page itself follows the theme, not only the UI5 controls on it.
  Object.assign(document.body.style, {
    margin: '0',
    background: 'var(--sapBackgroundColor)',
    color: 'var(--sapTextColor)',
    fontFamily: 'var(--sapFontFamily)',
  });
  await setTheme(UI5_THEMES[theme]);
}
