import { expect, it } from 'vitest';
import { describeBrowser, expectAccessible, screenshot, sitePerFile } from '../support/browser.js';
import { expectJson } from '../support/http.js';

describeBrowser('process template versions in the browser', () => {
  let before = '';
  const site = sitePerFile(async (s) => {
    const ivy = await s.person('ivy', ['developer']);
    before = (await s.fx.release(ivy.actor, { title: 'Planned under the first version' })).name;
  });

  it('validates an edit with problems at their lines, publishes it with its record, and shows versions, releases and differences', async () => {
    const s = site();
    const { page } = await s.signedIn('ada', ['admin'], { path: '/admin/templates' });
    await page.getByRole('heading', { level: 1, name: 'Process templates' }).waitFor();
    const versions = page.getByRole('table', { name: 'Versions with their document-control records, newest first' });
    await versions.getByRole('cell', { name: '1 (in force)' }).waitFor();
    await expectAccessible(page, 'the template versions');

    await page.getByRole('button', { name: 'Read version 1' }).click();
    const yamlView = page.getByRole('region', { name: 'YAML of version 1' });
    await expect.poll(() => yamlView.textContent()).toContain('key: cms-net');
    await expectAccessible(page, 'the YAML of a version');

    await page.getByRole('tab', { name: 'Edit and publish' }).click();
    const editor = page.getByRole('textbox', { name: 'Template YAML' });
    const original = await editor.inputValue();
    const target = '        to: packaging\n        roles: [technical-lead, developer]\n        gates: [has-items]';
    expect(original).toContain(target);
    const line = original.slice(0, original.indexOf(target)).split('\n').length;
    await editor.fill(original.replace(target, target.replace('to: packaging', 'to: packeging')));
    await page.getByRole('button', { name: 'Validate' }).click();
    const problems = page.getByRole('alert').filter({ hasText: 'problem(s) in the template' });
    await expect
      .poll(() => problems.textContent())
      .toMatch(new RegExp(`Line ${line}: workflows\\[0\\]\\.transitions\\[0\\]\\.to: .*packeging`));
    const marked = page.getByRole('region', { name: 'The lines with problems' });
    expect(await marked.locator(`[data-line="${line}"]`).textContent()).toContain('to: packeging');
    await expectAccessible(page, 'an edit with a problem marked at its line');
    await screenshot(page, 'templates');

    const fixed = original.replace('    name: Draft\n', '    name: Draft (planning)\n');
    expect(fixed).not.toBe(original);
    await editor.fill(fixed);
    await page.getByRole('button', { name: 'Validate' }).click();
    await page.getByRole('status').filter({ hasText: 'Sections changed from version 1: states' }).waitFor();
    await page.getByLabel('What this version changes').fill('The draft state says it is for planning');
    await page.getByRole('textbox', { name: 'Prepared by' }).fill('Pat Preparer');
    await page.getByRole('textbox', { name: 'Reviewed by' }).fill('Rita Reviewer');
    await page.getByRole('button', { name: 'Publish version 2' }).click();
    await page.getByRole('status').filter({ hasText: 'Version 2 published' }).waitFor();

    const ivy = await s.person('ivy', ['developer']);
    const after = (await s.fx.release(ivy.actor, { title: 'Planned under the second version' })).name;
    const admin = await s.person('ada', ['admin']);
    const get = async (name: string) =>
      expectJson(
        await s.app.inject({ method: 'GET', url: `/api/v1/releases/${name}`, headers: { authorization: `Bearer ${admin.token}` } }),
        200,
      );
    expect((await get(before)).template).toEqual({ key: 'cms-net', version: 1 });
    expect((await get(after)).template).toEqual({ key: 'cms-net', version: 2 });

    await page.goto('/admin/templates');
    const row = versions.getByRole('row').filter({ hasText: '2 (in force)' });
    await expect.poll(() => row.textContent()).toContain('The draft state says it is for planning');
    for (const part of ['states', 'Pat Preparer', 'Rita Reviewer', 'ada']) expect(await row.textContent()).toContain(part);

    await page.getByRole('tab', { name: 'Releases per version' }).click();
    const under1 = page.getByRole('table', { name: 'Releases under version 1' });
    const under2 = page.getByRole('table', { name: 'Releases under version 2' });
    await under2.waitFor();
    expect(await under1.getByRole('link').allTextContents()).toEqual([before]);
    expect(await under2.getByRole('link').allTextContents()).toEqual([after]);
    await expectAccessible(page, 'the releases per version');

    await page.getByRole('tab', { name: 'Differences' }).click();
    const sections = page.getByRole('table', { name: 'Sections of version 1 and version 2' });
    await sections.waitFor();
    const changed = await sections.getByRole('row').filter({ hasNotText: 'unchanged' }).allTextContents();
    expect(changed).toEqual(['SectionBetween version 1 and version 2', 'stateschanged']);
    expect(await page.getByRole('heading', { level: 3 }).allTextContents()).toEqual(['states (changed)']);
    const diff = page.getByRole('region', { name: 'Changes to states' });
    await expect.poll(() => diff.textContent()).toContain('+     name: Draft (planning)');
    expect(await diff.textContent()).toContain('-     name: Draft');
    await expectAccessible(page, 'the differences between two versions');
    // Seven axe runs, two over a 700-line highlighted document, and a publication: more than the default minute on a busy machine.
  }, 150_000);
  it('shows a viewer the versions and their YAML, and nothing that edits or publishes', async () => {
    const { page } = await site().signedIn('vic', ['viewer'], { path: '/admin/templates?tab=edit' });
    await page.getByRole('heading', { level: 1, name: 'Process templates' }).waitFor();
    await page.getByRole('tab', { name: 'Versions' }).click();
    await page.getByRole('table', { name: 'Versions with their document-control records, newest first' }).waitFor();
    expect(await page.getByRole('tab').allTextContents()).toEqual(['Versions', 'YAML', 'Differences', 'Releases per version']);
    expect(await page.getByRole('textbox', { name: 'Template YAML' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Validate|Publish/ }).count()).toBe(0);
    await expectAccessible(page, 'the templates page of a viewer');
  });
});
